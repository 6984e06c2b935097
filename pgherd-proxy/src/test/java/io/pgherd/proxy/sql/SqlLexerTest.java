package io.pgherd.proxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgherd.proxy.sql.Token.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokens and statements of SQL text, scanned as PostgreSQL's scanner would. */
class SqlLexerTest {

    private static Token word(String text) {
        return new Token(Kind.WORD, text);
    }

    private static Token op(String text) {
        return new Token(Kind.OPERATOR, text);
    }

    private static Token string(String text) {
        return new Token(Kind.STRING, text);
    }

    private static Token quoted(String text) {
        return new Token(Kind.QUOTED_IDENTIFIER, text);
    }

    private static Token number(String text) {
        return new Token(Kind.NUMBER, text);
    }

    private static Token parameter(String text) {
        return new Token(Kind.PARAMETER, text);
    }

    /** The tokens of text that must hold exactly one complete statement. */
    private static List<Token> tokens(String sql) {
        SqlLexer.Result result = SqlLexer.scan(sql);
        assertThat(result.complete()).as("complete").isTrue();
        assertThat(result.statements()).as("statements").hasSize(1);
        return result.statements().get(0);
    }

    @Test
    void queryBecomesWordsOperatorsParametersAndStrings() {
        assertThat(tokens("SELECT a, b FROM t WHERE x >= $1 AND y::text <> 'q' -- trailing comment\n"))
                .containsExactly(word("select"), word("a"), op(","), word("b"), word("from"), word("t"), word("where"),
                        word("x"), op(">="), parameter("$1"), word("and"), word("y"), op(":"), op(":"), word("text"),
                        op("<>"), string("q"));
    }

    @Test
    void wordsAreLowerCasedButQuotedIdentifiersKeepTheirCase() {
        assertThat(tokens("SeLeCt \"MyCol\", \"a\"\"b\", U&\"Uni\", café, _x1$ FROM s.\"T\""))
                .containsExactly(word("select"), quoted("MyCol"), op(","), quoted("a\"b"), op(","), quoted("Uni"), op(","),
                        word("café"), op(","), word("_x1$"), word("from"), word("s"), op("."), quoted("T"));
    }

    @ParameterizedTest(name = "{0} is the string ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'plain'                 | plain",
        "'it''s'                 | it's",
        "''                      | \"\"",
        "'a\\b'                  | a\\b",
        "E'it\\'s'               | it's",
        "e'a''b'                 | a'b",
        "E'back\\\\slash'        | back\\slash",
        "U&'d\\0061t'            | d\\0061t",
        "B'1010'                 | 1010",
        "x'FF'                   | FF",
        "N'national'             | national",
        "$$dollar ' quoted$$     | dollar ' quoted",
        "$fn$ body $$ inner $$ $fn$ | \" body $$ inner $$ \"",
        "$a1_$x$a1_$             | x",
        "$$$$                    | \"\"",
    })
    void everyKindOfStringLiteralIsOneStringToken(String sql, String text) {
        assertThat(tokens("SELECT " + sql)).containsExactly(word("select"), string(text));
    }

    @Test
    void numbersAndPositionalParameters() {
        assertThat(tokens("SELECT 42, 3.14, .5, 1e10, $1, $12 LIMIT $3"))
                .containsExactly(word("select"), number("42"), op(","), number("3.14"), op(","), number(".5"), op(","),
                        number("1e10"), op(","), parameter("$1"), op(","), parameter("$12"), word("limit"),
                        parameter("$3"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a ^ b         | ^",
        "a->>b         | ->>",
        "a <= b        | <=",
        "a != b        | !=",
        "a @> b        | @>",
        "a ~* b        | ~*",
        "a # b         | #",
        "a % b         | %",
    })
    void operatorCharactersRunTogetherIntoOneOperator(String sql, String operator) {
        assertThat(tokens(sql)).containsExactly(word("a"), op(operator), word("b"));
    }

    @Test
    void concatenationIsOneOperator() {
        assertThat(tokens("a || b")).containsExactly(word("a"), op("||"), word("b"));
    }

    @Test
    void punctuationIsOneCharacterEach() {
        assertThat(tokens("f(a[1], b.c)"))
                .containsExactly(word("f"), op("("), word("a"), op("["), number("1"), op("]"), op(","), word("b"), op("."),
                        word("c"), op(")"));
    }

    @Test
    void commentStartEndsAnOperator() {
        assertThat(tokens("a*/* comment */b")).containsExactly(word("a"), op("*"), word("b"));
        assertThat(tokens("1+-- comment\n2")).containsExactly(number("1"), op("+"), number("2"));
        assertThat(tokens("1--2")).containsExactly(number("1"));
    }

    @Test
    void loneDollarIsAnOperatorNotAString() {
        assertThat(tokens("SELECT $ 1")).containsExactly(word("select"), op("$"), number("1"));
    }

    @Test
    void commentsLeaveNoTokens() {
        assertThat(tokens("/* a /* nested */ still comment */ SELECT -- to end of line\n 1 /* last */"))
                .containsExactly(word("select"), number("1"));
    }

    @Test
    void semicolonsSplitStatementsAndAreDropped() {
        SqlLexer.Result result = SqlLexer.scan("SELECT 1; SELECT 2;\nSELECT 3");

        assertThat(result.complete()).isTrue();
        assertThat(result.statements()).containsExactly(
                List.of(word("select"), number("1")),
                List.of(word("select"), number("2")),
                List.of(word("select"), number("3")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "   ", ";", ";;;", " ; \n ; ", "-- only a comment", "/* only */ ; /* comments */"})
    void emptyStatementsAreDropped(String sql) {
        SqlLexer.Result result = SqlLexer.scan(sql);

        assertThat(result.complete()).isTrue();
        assertThat(result.statements()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "SELECT 'a;b'",
        "SELECT E'a\\';b'",
        "SELECT \"a;b\"",
        "SELECT $$a;b$$",
        "SELECT $x$a;b$x$",
        "SELECT /* a;b */ 1",
        "SELECT 1 -- a;b",
    })
    void semicolonInsideQuotesOrCommentsDoesNotSplit(String sql) {
        assertThat(SqlLexer.scan(sql).statements()).hasSize(1);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "SELECT 'open",
        "SELECT 'it''s",
        "SELECT E'esc\\'",
        "SELECT E'trailing backslash\\",
        "SELECT U&'open",
        "SELECT B'10",
        "SELECT \"open",
        "SELECT U&\"open",
        "SELECT $$ open",
        "SELECT $t$ open $u$",
        "SELECT /* open",
        "SELECT /* /* nested */ open",
    })
    void unterminatedTextMakesTheScanIncomplete(String sql) {
        SqlLexer.Result result = SqlLexer.scan(sql);

        assertThat(result.complete()).isFalse();
        assertThat(result.statements()).containsExactly(List.of(word("select")));
    }

    @Test
    void statementsBeforeTheUnterminatedTextAreKept() {
        SqlLexer.Result result = SqlLexer.scan("LISTEN a; SELECT 1, 'open; LISTEN b");

        assertThat(result.complete()).isFalse();
        assertThat(result.statements()).containsExactly(
                List.of(word("listen"), word("a")),
                List.of(word("select"), number("1"), op(",")));
    }

    @Test
    void lineCommentAtEndOfTextNeedsNoNewline() {
        SqlLexer.Result result = SqlLexer.scan("SELECT 1 -- no newline; SET x = 1");

        assertThat(result.complete()).isTrue();
        assertThat(result.statements()).containsExactly(List.of(word("select"), number("1")));
    }

    @Test
    void tokenPredicatesMatchKindAndText() {
        assertThat(word("set").isWord("set")).isTrue();
        assertThat(quoted("set").isWord("set")).isFalse();
        assertThat(string("set").isWord("set")).isFalse();
        assertThat(op("(").isOperator("(")).isTrue();
        assertThat(string("(").isOperator("(")).isFalse();
        assertThat(word("set").isOperator("set")).isFalse();
    }
}
