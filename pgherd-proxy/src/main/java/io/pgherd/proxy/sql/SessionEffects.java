package io.pgherd.proxy.sql;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a piece of SQL may do to the server session beyond its transaction, as far as transaction
 * pooling cares: whether it may change session state that must follow the client to another server
 * (settings, roles, SQL prepared statements), and which state it creates that cannot move at all
 * and so pins the client to its server. Conservative: text that cannot be scanned counts as
 * changing state. Immutable.
 *
 * @param changesState the session's settings, role or SQL prepared statements may have changed
 * @param pins unmovable state the SQL may create
 */
public record SessionEffects(boolean changesState, Set<Pin> pins) {
    /** Why a client is pinned to its server. */
    public enum Pin {
        TEMPORARY_TABLE("temporary table"),
        ADVISORY_LOCK("session advisory lock"),
        LISTEN("LISTEN"),
        HOLD_CURSOR("WITH HOLD cursor");

        private final String reason;

        Pin(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public static final SessionEffects NONE = new SessionEffects(false, Set.of());

    private static final Set<String> CREATE_MODIFIERS = Set.of("or", "replace", "global", "local", "temp", "temporary",
            "unlogged");
    private static final Set<String> SESSION_ADVISORY_LOCKS = Set.of("pg_advisory_lock", "pg_advisory_lock_shared",
            "pg_try_advisory_lock", "pg_try_advisory_lock_shared");

    /** The effects of {@code sql} (one or more statements). */
    public static SessionEffects of(String sql) {
        if (!mayMatter(sql)) {
            return NONE;
        }
        SqlLexer.Result scanned = SqlLexer.scan(sql);
        boolean changes = !scanned.complete();
        EnumSet<Pin> pins = EnumSet.noneOf(Pin.class);
        for (List<Token> statement : scanned.statements()) {
            Token first = statement.get(0);
            String verb = first.kind() == Token.Kind.WORD ? first.text() : "";
            switch (verb) {
                case "set" -> changes |= !(statement.size() > 1 && (statement.get(1).isWord("local")
                        || statement.get(1).isWord("transaction")));
                case "reset", "prepare", "deallocate", "discard" -> changes = true;
                case "listen" -> pins.add(Pin.LISTEN);
                case "declare" -> {
                    if (containsSequence(statement, "with", "hold")) {
                        pins.add(Pin.HOLD_CURSOR);
                    }
                }
                case "create" -> {
                    // CREATE [OR REPLACE] [GLOBAL | LOCAL] {TEMP | TEMPORARY} [UNLOGGED] {TABLE | VIEW | SEQUENCE}
                    for (int i = 1; i < statement.size() && statement.get(i).kind() == Token.Kind.WORD
                            && CREATE_MODIFIERS.contains(statement.get(i).text()); i++) {
                        if (statement.get(i).isWord("temp") || statement.get(i).isWord("temporary")) {
                            pins.add(Pin.TEMPORARY_TABLE);
                            break;
                        }
                    }
                    if (containsSequence(statement, "pg_temp", ".")) {
                        // CREATE TABLE pg_temp.t: temporary without the word.
                        pins.add(Pin.TEMPORARY_TABLE);
                    }
                }
                default -> {
                    // Other statements matter only through the functions and clauses checked below.
                }
            }
            if ((verb.equals("select") || verb.equals("with")) && containsIntoTemp(statement)) {
                pins.add(Pin.TEMPORARY_TABLE);
            }
            if (verb.equals("do") && bodyCreatesTemp(statement, 2)) {
                pins.add(Pin.TEMPORARY_TABLE);
            }
            for (int i = 0; i + 1 < statement.size(); i++) {
                Token t = statement.get(i);
                if (t.kind() == Token.Kind.WORD && statement.get(i + 1).isOperator("(")) {
                    if (t.text().equals("set_config")) {
                        changes = true;
                    } else if (SESSION_ADVISORY_LOCKS.contains(t.text())) {
                        pins.add(Pin.ADVISORY_LOCK);
                    }
                }
            }
        }
        if (!changes && pins.isEmpty()) {
            return NONE;
        }
        return new SessionEffects(changes, Set.copyOf(pins));
    }

    /**
     * Whether {@code sql} calls {@code pg_terminate_backend}, and so may end the very server session
     * it runs in ({@code pg_terminate_backend(pg_backend_pid())}): such work must never be run again
     * on another server connection when its own dies. A quick look for the name first, then a scan.
     */
    public static boolean mayEndOwnBackend(String sql) {
        if (!containsIgnoringCase(sql, TERMINATE)) {
            return false;
        }
        SqlLexer.Result scanned = SqlLexer.scan(sql);
        if (!scanned.complete()) {
            return true;
        }
        for (List<Token> statement : scanned.statements()) {
            for (int i = 0; i + 1 < statement.size(); i++) {
                if (statement.get(i).isWord(TERMINATE) && statement.get(i + 1).isOperator("(")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final String TERMINATE = "pg_terminate_backend";

    private static boolean containsIgnoringCase(String text, String word) {
        for (int i = 0, last = text.length() - word.length(); i <= last; i++) {
            if ((text.charAt(i) | 0x20) == word.charAt(0) && text.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names (lower case) of custom settings ({@code prefix.name}) that {@code sql} sets or resets for
     * the session: {@code SET [SESSION] a.b}, {@code RESET a.b}, {@code set_config('a.b', …)}.
     * PostgreSQL hides such placeholder settings from pg_settings, so whoever captures session state
     * must ask for them by name. A name passed as a bind parameter is not seen.
     */
    public static Set<String> customSettings(String sql) {
        if (!mayMatter(sql)) {
            return Set.of();
        }
        Set<String> names = new java.util.LinkedHashSet<>();
        for (List<Token> statement : SqlLexer.scan(sql).statements()) {
            if (statement.get(0).isWord("set") || statement.get(0).isWord("reset")) {
                int at = statement.size() > 1 && statement.get(1).isWord("session") ? 2 : 1;
                StringBuilder name = new StringBuilder();
                for (int i = at; i < statement.size(); i += 2) {
                    if (statement.get(i).kind() != Token.Kind.WORD) {
                        break;
                    }
                    name.append(statement.get(i).text());
                    if (i + 1 >= statement.size() || !statement.get(i + 1).isOperator(".")) {
                        break;
                    }
                    name.append('.');
                }
                if (name.indexOf(".") > 0 && name.charAt(name.length() - 1) != '.') {
                    names.add(name.toString());
                }
            }
            for (int i = 0; i + 2 < statement.size(); i++) {
                Token argument = statement.get(i + 2);
                if (statement.get(i).isWord("set_config") && statement.get(i + 1).isOperator("(")
                        && argument.kind() == Token.Kind.STRING && argument.text().indexOf('.') > 0) {
                    names.add(argument.text().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return names;
    }

    /**
     * A fast filter: text without any of the words that could matter needs no scan. One pass over the
     * text, comparing only where a word's first letter appears, and no allocation.
     */
    private static boolean mayMatter(String sql) {
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            String[] words = switch (sql.charAt(i) | 0x20) {
                case 's' -> SET;
                case 'p' -> PREPARE;
                case 'd' -> DEALLOCATE_DISCARD;
                case 'l' -> LISTEN;
                case 'h' -> HOLD;
                case 't' -> TEMP;
                case 'a' -> ADVISORY;
                default -> null;
            };
            if (words != null) {
                for (String word : words) {
                    if (sql.regionMatches(true, i, word, 0, word.length())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static final String[] SET = {"set"};
    private static final String[] PREPARE = {"prepare"};
    private static final String[] DEALLOCATE_DISCARD = {"dealloc", "discard"};
    private static final String[] LISTEN = {"listen"};
    private static final String[] HOLD = {"hold"};
    private static final String[] TEMP = {"temp"};
    private static final String[] ADVISORY = {"advisory"};

    /** Whether word {@code a} is followed by word (or operator) {@code b} somewhere in {@code tokens}. */
    private static boolean containsSequence(List<Token> tokens, String a, String b) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).isWord(a) && (tokens.get(i + 1).isWord(b) || tokens.get(i + 1).isOperator(b))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a string among {@code tokens} (a DO block's body, an EXECUTE'd string within it, down to
     * {@code depth} levels) holds CREATE [modifiers] TEMP[ORARY] or CREATE TABLE pg_temp.…: the table
     * outlives the DO statement and ties the session to its server. A function doing so stays unseen.
     */
    private static boolean bodyCreatesTemp(List<Token> tokens, int depth) {
        for (Token t : tokens) {
            if (t.kind() != Token.Kind.STRING || depth == 0) {
                continue;
            }
            List<Token> body = SqlLexer.scan(t.text()).statements().stream().flatMap(List::stream).toList();
            for (int i = 0; i < body.size(); i++) {
                if (!body.get(i).isWord("create")) {
                    continue;
                }
                for (int j = i + 1; j < body.size() && body.get(j).kind() == Token.Kind.WORD; j++) {
                    if (body.get(j).isWord("temp") || body.get(j).isWord("temporary") || body.get(j).isWord("pg_temp")) {
                        return true;
                    }
                    if (!CREATE_MODIFIERS.contains(body.get(j).text()) && !body.get(j).isWord("table")) {
                        break;
                    }
                }
            }
            if (bodyCreatesTemp(body, depth - 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsIntoTemp(List<Token> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).isWord("into") && (tokens.get(i + 1).isWord("temp") || tokens.get(i + 1).isWord("temporary"))) {
                return true;
            }
        }
        return false;
    }
}
