package io.pgherd.proxy.sql;

/**
 * One lexical token of SQL. Words are lower-cased unless quoted; strings keep their decoded text.
 *
 * @param kind what the token is
 * @param text its text: a lower-cased word, an identifier's name, a string's content, an operator
 */
public record Token(Kind kind, String text) {
    /** Token kinds. */
    public enum Kind { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, OPERATOR, SEMICOLON }

    /** Whether this is the unquoted word {@code word} (lower case). */
    public boolean isWord(String word) {
        return kind == Kind.WORD && text.equals(word);
    }

    /** Whether this is the operator or punctuation {@code op}. */
    public boolean isOperator(String op) {
        return kind == Kind.OPERATOR && text.equals(op);
    }
}
