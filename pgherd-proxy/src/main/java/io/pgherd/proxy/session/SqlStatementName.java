package io.pgherd.proxy.session;

import java.util.Locale;

/**
 * Where a simple Query names a prepared statement in SQL: {@code EXECUTE name …} or {@code
 * DEALLOCATE [PREPARE] name …} at its very start (after white space only), so that the proxy can put
 * its server-side name in place of the client's. Anything else (a comment first, {@code DEALLOCATE
 * ALL}, another statement) is not recognized, and the query goes to the server as it is.
 *
 * @param deallocate whether the command is DEALLOCATE (else EXECUTE)
 * @param name       the statement name as PostgreSQL reads it (unquoted names folded to lower case)
 * @param start      where the name starts in the text
 * @param end        where the name ends in the text (exclusive)
 */
record SqlStatementName(boolean deallocate, String name, int start, int end) {

    /** The statement {@code sql} names, or null. */
    static SqlStatementName of(String sql) {
        int i = skipSpace(sql, 0);
        boolean deallocate;
        if (keyword(sql, i, "execute")) {
            deallocate = false;
            i += "execute".length();
        } else if (keyword(sql, i, "deallocate")) {
            deallocate = true;
            i += "deallocate".length();
            int next = skipSpace(sql, i);
            if (next > i && keyword(sql, next, "prepare")) {
                i = next + "prepare".length();
            }
        } else {
            return null;
        }
        int start = skipSpace(sql, i);
        if (start == i || start >= sql.length()) {
            return null;
        }
        if (sql.charAt(start) == '"') {
            StringBuilder name = new StringBuilder();
            for (int j = start + 1; j < sql.length(); j++) {
                char c = sql.charAt(j);
                if (c != '"') {
                    name.append(c);
                } else if (j + 1 < sql.length() && sql.charAt(j + 1) == '"') {
                    name.append('"');
                    j++;
                } else {
                    return name.isEmpty() ? null : new SqlStatementName(deallocate, name.toString(), start, j + 1);
                }
            }
            return null;
        }
        int end = start;
        while (end < sql.length() && isIdentifierChar(sql.charAt(end), end == start)) {
            end++;
        }
        if (end == start) {
            return null;
        }
        String name = sql.substring(start, end).toLowerCase(Locale.ROOT);
        return deallocate && name.equals("all") ? null : new SqlStatementName(deallocate, name, start, end);
    }

    /** {@code sql} with {@code serverName} (quoted) in place of the client's name. */
    String rename(String sql, String serverName) {
        return sql.substring(0, start) + '"' + serverName.replace("\"", "\"\"") + '"' + sql.substring(end);
    }

    private static boolean keyword(String sql, int at, String word) {
        int end = at + word.length();
        return sql.regionMatches(true, at, word, 0, word.length())
                && (end == sql.length() || !isIdentifierChar(sql.charAt(end), false));
    }

    private static int skipSpace(String sql, int i) {
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentifierChar(char c, boolean first) {
        return c == '_' || Character.isLetter(c) || c >= 0x80 || !first && (Character.isDigit(c) || c == '$');
    }
}
