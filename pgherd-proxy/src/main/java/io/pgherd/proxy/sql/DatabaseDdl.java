package io.pgherd.proxy.sql;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The databases a statement needs nobody else connected to: {@code DROP DATABASE x}, {@code ALTER
 * DATABASE x RENAME TO y} (x), {@code CREATE DATABASE y [TEMPLATE x]} (x, by default template1).
 * PostgreSQL refuses these with "database … is being accessed by other users" while any other
 * session is connected to x, so a pooler's idle server connections must go first. Text that cannot
 * be scanned names no database (the statement then fails as it would have). Stateless.
 */
public final class DatabaseDdl {
    /** The database CREATE DATABASE copies when no TEMPLATE is given. */
    static final String DEFAULT_TEMPLATE = "template1";

    private DatabaseDdl() {
    }

    /** The databases {@code sql} (one or more statements) needs to itself; empty for anything else. */
    public static Set<String> databasesNeededAlone(String sql) {
        Set<String> names = new LinkedHashSet<>();
        for (List<Token> s : SqlLexer.scan(sql).statements()) {
            if (s.size() < 3 || !s.get(1).isWord("database")) {
                continue;
            }
            if (s.get(0).isWord("drop")) {
                int at = s.size() > 4 && s.get(2).isWord("if") && s.get(3).isWord("exists") ? 4 : 2;
                addName(s, at, names);
            } else if (s.get(0).isWord("alter") && s.size() > 4 && s.get(3).isWord("rename")) {
                addName(s, 2, names);
            } else if (s.get(0).isWord("create")) {
                names.add(template(s));
            }
        }
        names.remove(null);
        return names;
    }

    private static String template(List<Token> s) {
        for (int i = 3; i + 1 < s.size(); i++) {
            if (s.get(i).isWord("template")) {
                int at = s.get(i + 1).isOperator("=") ? i + 2 : i + 1;
                return at < s.size() && s.get(at).isWord("default") ? DEFAULT_TEMPLATE : name(s, at);
            }
        }
        return DEFAULT_TEMPLATE;
    }

    private static void addName(List<Token> s, int at, Set<String> names) {
        names.add(name(s, at));
    }

    /** The identifier at {@code at}, as PostgreSQL folds it, or null if there is none. */
    private static String name(List<Token> s, int at) {
        if (at >= s.size()) {
            return null;
        }
        Token t = s.get(at);
        return t.kind() == Token.Kind.WORD || t.kind() == Token.Kind.QUOTED_IDENTIFIER || t.kind() == Token.Kind.STRING
                ? t.text() : null;
    }
}
