package io.pgherd.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into statements of {@link Token}s the way PostgreSQL's scanner does, so that
 * keywords inside comments (nested {@code /* *}{@code /}), quoted identifiers, standard and
 * {@code E''} strings and dollar-quoted strings never mislead whoever reads the tokens. Text it
 * cannot scan (an unterminated string or comment) is reported as {@link Result#complete()} false:
 * callers must then assume the worst. Stateless and thread-safe.
 */
public final class SqlLexer {
    private SqlLexer() {
    }

    /**
     * The statements of {@code sql}, each a list of tokens without the separating semicolons;
     * empty statements are dropped. {@code hints} are the words of comments that start with
     * {@code pgherd:} (such as {@code primary} from {@code /* pgherd:primary *}{@code /}), in order.
     */
    public record Result(List<List<Token>> statements, boolean complete, List<String> hints) {
    }

    private static final String HINT_PREFIX = "pgherd:";

    /** Scans {@code sql}. */
    public static Result scan(String sql) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        boolean complete = true;
        scan:
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int start = i + 2;
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                hint(sql.substring(start, i), hints);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 1;
                i += 2;
                int start = i;
                while (i < n && depth > 0) {
                    if (sql.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (sql.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                }
                if (depth > 0) {
                    complete = false;
                    break;
                }
                hint(sql.substring(start, i - 2), hints);
            } else if (c == ';') {
                if (!current.isEmpty()) {
                    statements.add(List.copyOf(current));
                    current.clear();
                }
                i++;
            } else if (c == '\'') {
                int end = standardString(sql, i + 1, current);
                if (end < 0) {
                    complete = false;
                    break;
                }
                i = end;
            } else if ((c == 'e' || c == 'E') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                int end = escapeString(sql, i + 2, current);
                if (end < 0) {
                    complete = false;
                    break;
                }
                i = end;
            } else if ((c == 'u' || c == 'U') && sql.startsWith("&'", i + 1)) {
                int end = standardString(sql, i + 3, current);
                if (end < 0) {
                    complete = false;
                    break;
                }
                i = end;
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && i + 1 < n
                    && sql.charAt(i + 1) == '\'') {
                int end = standardString(sql, i + 2, current);
                if (end < 0) {
                    complete = false;
                    break;
                }
                i = end;
            } else if (c == '"' || ((c == 'u' || c == 'U') && sql.startsWith("&\"", i + 1))) {
                int start = c == '"' ? i + 1 : i + 3;
                StringBuilder name = new StringBuilder();
                int j = start;
                while (true) {
                    if (j >= n) {
                        complete = false;
                        break scan;
                    }
                    if (sql.charAt(j) == '"') {
                        if (j + 1 < n && sql.charAt(j + 1) == '"') {
                            name.append('"');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    name.append(sql.charAt(j++));
                }
                current.add(new Token(Token.Kind.QUOTED_IDENTIFIER, name.toString()));
                i = j + 1;
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(sql.charAt(j))) {
                    j++;
                }
                current.add(new Token(Token.Kind.PARAMETER, sql.substring(i, j)));
                i = j;
            } else if (c == '$') {
                int tagEnd = dollarTagEnd(sql, i);
                if (tagEnd < 0) {
                    current.add(new Token(Token.Kind.OPERATOR, "$"));
                    i++;
                    continue;
                }
                String tag = sql.substring(i, tagEnd + 1);
                int close = sql.indexOf(tag, tagEnd + 1);
                if (close < 0) {
                    complete = false;
                    break;
                }
                current.add(new Token(Token.Kind.STRING, sql.substring(tagEnd + 1, close)));
                i = close + tag.length();
            } else if (isIdentifierStart(c)) {
                int j = i + 1;
                while (j < n && isIdentifierPart(sql.charAt(j))) {
                    j++;
                }
                current.add(new Token(Token.Kind.WORD, sql.substring(i, j).toLowerCase(Locale.ROOT)));
                i = j;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '.' || sql.charAt(j) == '_')) {
                    j++;
                }
                current.add(new Token(Token.Kind.NUMBER, sql.substring(i, j)));
                i = j;
            } else if ("()[],.:".indexOf(c) >= 0) {
                current.add(new Token(Token.Kind.OPERATOR, String.valueOf(c)));
                i++;
            } else {
                int j = i;
                while (j < n && "+-*/<>=~!@#%^&|`?".indexOf(sql.charAt(j)) >= 0
                        && !sql.startsWith("--", j) && !sql.startsWith("/*", j)) {
                    j++;
                }
                if (j == i) {
                    j = i + 1;
                }
                current.add(new Token(Token.Kind.OPERATOR, sql.substring(i, j)));
                i = j;
            }
        }
        if (!current.isEmpty()) {
            statements.add(List.copyOf(current));
        }
        return new Result(List.copyOf(statements), complete, List.copyOf(hints));
    }

    private static void hint(String comment, List<String> hints) {
        String text = comment.strip();
        if (text.regionMatches(true, 0, HINT_PREFIX, 0, HINT_PREFIX.length())) {
            String word = text.substring(HINT_PREFIX.length()).strip().split("\\s+", 2)[0];
            if (!word.isEmpty()) {
                hints.add(word.toLowerCase(Locale.ROOT));
            }
        }
    }

    private static int standardString(String sql, int from, List<Token> out) {
        StringBuilder text = new StringBuilder();
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    text.append('\'');
                    i += 2;
                    continue;
                }
                out.add(new Token(Token.Kind.STRING, text.toString()));
                return i + 1;
            }
            text.append(c);
            i++;
        }
        return -1;
    }

    private static int escapeString(String sql, int from, List<Token> out) {
        StringBuilder text = new StringBuilder();
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && i + 1 < sql.length()) {
                text.append(sql.charAt(i + 1));
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    text.append('\'');
                    i += 2;
                    continue;
                }
                out.add(new Token(Token.Kind.STRING, text.toString()));
                return i + 1;
            } else {
                text.append(c);
                i++;
            }
        }
        return -1;
    }

    /** The index of the closing {@code $} of a dollar-quote tag starting at {@code start}, or -1 if none starts there. */
    private static int dollarTagEnd(String sql, int start) {
        int j = start + 1;
        while (j < sql.length() && sql.charAt(j) != '$') {
            char c = sql.charAt(j);
            if (!(j == start + 1 ? isIdentifierStart(c) : isIdentifierPart(c)) || c == '$') {
                return -1;
            }
            j++;
        }
        return j < sql.length() ? j : -1;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }
}
