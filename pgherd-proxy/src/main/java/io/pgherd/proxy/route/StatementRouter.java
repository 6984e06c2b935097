package io.pgherd.proxy.route;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.pgherd.proxy.route.Route.Reason;
import io.pgherd.proxy.sql.SqlLexer;
import io.pgherd.proxy.sql.Token;

/**
 * Decides, failing closed, whether SQL may run on a replica: only when it can prove every statement
 * read-only ({@code SELECT}, {@code WITH … SELECT}, {@code VALUES}, {@code TABLE}, {@code SHOW},
 * {@code EXPLAIN} of such, {@code COPY … TO}) with no locking clause, no {@code SELECT INTO}, no
 * data-modifying CTE, no function that writes, is bound to the session, is a user-defined
 * VOLATILE one, or is unknown, and no unlogged relation of the catalog; and only when the session's
 * default isolation is not SERIALIZABLE (hot standbys refuse it). Everything else, anything it
 * cannot scan included, goes to the primary. Transactions and session state are the session's business; this class looks at one
 * query string at a time. Stateless apart from its catalog, and thread-safe.
 */
public final class StatementRouter {
    /** Built-ins that write, take session-level resources, or depend on the primary's state. */
    private static final Set<String> WRITING_FUNCTIONS = Set.of("nextval", "setval", "currval", "lastval",
            "txid_current", "txid_current_if_assigned", "pg_current_xact_id", "pg_current_xact_id_if_assigned",
            "pg_notify", "set_config", "dblink_exec", "dblink", "dblink_connect", "dblink_send_query",
            "pg_current_wal_lsn", "pg_current_wal_insert_lsn", "pg_current_wal_flush_lsn", "pg_switch_wal",
            "pg_create_restore_point", "pg_try_advisory_lock", "pg_terminate_backend", "pg_cancel_backend",
            "pg_reload_conf", "pg_rotate_logfile", "pg_create_physical_replication_slot",
            "pg_create_logical_replication_slot", "pg_drop_replication_slot", "setseed", "pg_stat_reset",
            "pg_logical_emit_message", "lo_import", "lo_export", "lo_create", "lo_creat", "lo_unlink", "lo_put",
            "lo_from_bytea", "lo_open", "lo_write", "lowrite", "lo_truncate", "pg_import_system_collations");
    /** VOLATILE built-ins that read nothing the primary has and replicas lack, and write nothing. */
    private static final Set<String> HARMLESS_VOLATILE = Set.of("random", "random_normal", "clock_timestamp",
            "timeofday", "gen_random_uuid", "uuid_generate_v4", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
            "pg_backend_pid", "pg_is_in_recovery", "pg_last_wal_replay_lsn", "pg_last_wal_receive_lsn",
            "pg_last_xact_replay_timestamp", "inet_server_port", "inet_server_addr", "version", "pg_postmaster_start_time",
            "statement_timestamp", "now", "current_setting", "pg_stat_get_activity", "pg_relation_size",
            "pg_total_relation_size", "pg_database_size", "pg_table_size", "pg_indexes_size", "pg_size_pretty");
    /** Words that may stand before "(" without being a function call. */
    private static final Set<String> NOT_FUNCTIONS = Set.of("in", "exists", "any", "all", "some", "values", "as", "over",
            "filter", "within", "cast", "coalesce", "nullif", "greatest", "least", "row", "using", "on", "and", "or", "not",
            "where", "select", "from", "join", "lateral", "when", "then", "else", "case", "like", "ilike", "similar",
            "between", "array", "extract", "overlay", "position", "substring", "trim", "treat", "into", "is", "by", "with",
            "materialized", "returning", "having", "limit", "offset", "union", "intersect", "except", "default",
            "interval", "time", "timestamp", "numeric", "decimal", "varchar", "char", "character", "bit", "float",
            "table", "recursive", "group", "order", "partition", "rows", "range", "groups", "xmlelement", "xmlforest",
            "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmlexists", "xmlattributes", "xmlconcat", "xmlagg",
            "json", "json_object", "json_array", "json_scalar", "json_serialize", "json_exists", "json_query",
            "json_value", "normalize", "collation", "distinct", "for", "of", "only", "set", "if", "nulls", "first", "last");
    private static final Set<String> TRANSACTION_WORDS = Set.of("begin", "start", "commit", "end", "rollback", "abort",
            "savepoint", "release");
    private static final Set<String> SESSION_WORDS = Set.of("set", "reset", "discard", "prepare", "execute", "deallocate",
            "declare", "fetch", "move", "close", "listen", "unlisten", "load");

    /** Settings a hot standby shows otherwise than the primary a client believes it is connected to. */
    private static final Set<String> PRIMARY_SETTINGS = Set.of("transaction_read_only", "in_hot_standby");

    private static final int MAX_PREPARED_ROUTES = 10_000;

    private final FunctionCatalog catalog;
    private final java.util.Map<String, Boolean> learnedWrites;
    private final java.util.concurrent.ConcurrentHashMap<String, Route> preparedRoutes = new java.util.concurrent.ConcurrentHashMap<>();

    public StatementRouter(FunctionCatalog catalog) {
        this(catalog, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /**
     * @param learnedWrites statement texts that replicas refused as writes, shared by every router of
     *                      the proxy and filled by {@link #learnWrite}
     */
    public StatementRouter(FunctionCatalog catalog, java.util.Map<String, Boolean> learnedWrites) {
        this.catalog = catalog;
        this.learnedWrites = learnedWrites;
    }

    /** The catalog this router judges functions by. */
    public FunctionCatalog catalog() {
        return catalog;
    }

    /** Remembers that a replica refused {@code sql} as a write; the router sends it to the primary from now on. */
    public void learnWrite(String sql) {
        if (learnedWrites.size() < 10_000) {
            learnedWrites.put(sql, Boolean.TRUE);
        }
    }

    /**
     * {@link #route(String, boolean)} for the text of a prepared statement, which clients run again
     * and again: answers are kept (up to a bound) for as long as this router's catalog is current.
     */
    public Route routePrepared(String sql, boolean defaultReadOnly) {
        return routePrepared(sql, defaultReadOnly, false);
    }

    /** {@link #routePrepared(String, boolean)} in a session whose default isolation may be SERIALIZABLE. */
    public Route routePrepared(String sql, boolean defaultReadOnly, boolean defaultSerializable) {
        if (defaultReadOnly || defaultSerializable || (!learnedWrites.isEmpty() && learnedWrites.containsKey(sql))) {
            return route(sql, defaultReadOnly, defaultSerializable);
        }
        Route r = preparedRoutes.get(sql);
        if (r == null) {
            r = route(sql, false);
            if (preparedRoutes.size() >= MAX_PREPARED_ROUTES) {
                preparedRoutes.clear();
            }
            preparedRoutes.put(sql, r);
        }
        return r;
    }

    /** Where {@code sql} (one or more statements, as one Query or Parse carries) may run. */
    public Route route(String sql) {
        return route(sql, false);
    }

    /**
     * Where {@code sql} may run, in a session whose {@code default_transaction_read_only} is
     * {@code defaultReadOnly} (then a plain BEGIN starts a read-only transaction).
     */
    public Route route(String sql, boolean defaultReadOnly) {
        return route(sql, defaultReadOnly, false);
    }

    /**
     * Where {@code sql} may run, in a session whose {@code default_transaction_read_only} is
     * {@code defaultReadOnly} and whose {@code default_transaction_isolation} is SERIALIZABLE when
     * {@code defaultSerializable}: then nothing goes to a replica but a transaction that names
     * another isolation level, since a hot standby refuses serializable transactions (0A000).
     */
    public Route route(String sql, boolean defaultReadOnly, boolean defaultSerializable) {
        if (!learnedWrites.isEmpty() && learnedWrites.containsKey(sql)) {
            return Route.primary(Reason.LEARNED_WRITE, "");
        }
        SqlLexer.Result scanned = SqlLexer.scan(sql);
        if (!scanned.complete()) {
            return Route.primary(Reason.UNPARSABLE, "");
        }
        if (scanned.hints().contains("primary")) {
            return Route.primary(Reason.HINT_PRIMARY, "");
        }
        if (scanned.statements().isEmpty()) {
            return Route.primary(Reason.EMPTY, "");
        }
        Route decided = null;
        for (List<Token> statement : scanned.statements()) {
            Route r = statement(statement);
            if (defaultReadOnly && r.reason() == Reason.TRANSACTION_CONTROL && beginsDefault(statement)) {
                r = Route.replica(Reason.READ_ONLY_TRANSACTION);
            }
            if (defaultSerializable && r.target() == Route.Target.REPLICA && !namesIsolationLevel(statement)) {
                r = Route.primary(Reason.SERIALIZABLE_DEFAULT, "");
            }
            if (r.target() == Route.Target.PRIMARY) {
                return r;
            }
            if (decided == null || r.reason() == Reason.READ_ONLY_TRANSACTION) {
                decided = r;
            }
        }
        if (scanned.hints().contains("replica") && decided.reason() == Reason.READ_ONLY) {
            return Route.replica(Reason.HINT_REPLICA);
        }
        return decided;
    }

    private Route statement(List<Token> tokens) {
        Token first = tokens.get(0);
        if (first.isOperator("(")) {
            return readOnlyQuery(tokens);
        }
        if (first.kind() != Token.Kind.WORD) {
            return Route.primary(Reason.WRITE, first.text());
        }
        String verb = first.text();
        return switch (verb) {
            case "select", "values", "table" -> readOnlyQuery(tokens);
            case "with" -> modifies(tokens) ? Route.primary(Reason.MODIFYING_CTE, "") : readOnlyQuery(tokens);
            case "show" -> tokens.size() > 1 && tokens.get(1).kind() == Token.Kind.WORD
                    && PRIMARY_SETTINGS.contains(tokens.get(1).text())
                    ? Route.primary(Reason.PRIMARY_SETTING, tokens.get(1).text()) : Route.replica(Reason.READ_ONLY);
            case "explain" -> explain(tokens);
            case "copy" -> copy(tokens);
            default -> {
                if (TRANSACTION_WORDS.contains(verb)) {
                    yield transaction(tokens);
                }
                yield Route.primary(SESSION_WORDS.contains(verb) ? Reason.SESSION : Reason.WRITE, verb);
            }
        };
    }

    /** A BEGIN or START TRANSACTION that does not say READ WRITE or SERIALIZABLE (read-only by default_transaction_read_only). */
    private static boolean beginsDefault(List<Token> tokens) {
        String verb = tokens.get(0).text();
        if (!verb.equals("begin") && !verb.equals("start")) {
            return false;
        }
        for (int i = 1; i < tokens.size(); i++) {
            if (tokens.get(i).isWord("write") || tokens.get(i).isWord("serializable")) {
                return false;
            }
        }
        return true;
    }

    /** A BEGIN or START TRANSACTION that says ISOLATION LEVEL (which one: SERIALIZABLE never reaches a replica). */
    private static boolean namesIsolationLevel(List<Token> tokens) {
        String verb = tokens.get(0).text();
        if (!verb.equals("begin") && !verb.equals("start")) {
            return false;
        }
        for (int i = 1; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).isWord("isolation") && tokens.get(i + 1).isWord("level")) {
                return true;
            }
        }
        return false;
    }

    /** BEGIN / START TRANSACTION: a read-only one (not SERIALIZABLE) may go to a replica. */
    private static Route transaction(List<Token> tokens) {
        String verb = tokens.get(0).text();
        if (!verb.equals("begin") && !verb.equals("start")) {
            return Route.primary(Reason.TRANSACTION_CONTROL, verb);
        }
        boolean readOnly = false;
        boolean serializable = false;
        for (int i = 1; i < tokens.size(); i++) {
            if (tokens.get(i).isWord("read") && i + 1 < tokens.size()) {
                if (tokens.get(i + 1).isWord("only")) {
                    readOnly = true;
                } else if (tokens.get(i + 1).isWord("write")) {
                    readOnly = false;
                }
            }
            if (tokens.get(i).isWord("serializable")) {
                serializable = true;
            }
        }
        if (readOnly && serializable) {
            return Route.primary(Reason.SERIALIZABLE_READ_ONLY, "");
        }
        return readOnly ? Route.replica(Reason.READ_ONLY_TRANSACTION) : Route.primary(Reason.TRANSACTION_CONTROL, verb);
    }

    /** EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement: routed as the statement it explains. */
    private Route explain(List<Token> tokens) {
        int i = 1;
        if (i < tokens.size() && tokens.get(i).isOperator("(")) {
            int depth = 0;
            for (; i < tokens.size(); i++) {
                if (tokens.get(i).isOperator("(")) {
                    depth++;
                } else if (tokens.get(i).isOperator(")") && --depth == 0) {
                    i++;
                    break;
                }
            }
        }
        while (i < tokens.size() && tokens.get(i).kind() == Token.Kind.WORD
                && Set.of("analyze", "analyse", "verbose").contains(tokens.get(i).text())) {
            i++;
        }
        if (i >= tokens.size()) {
            return Route.primary(Reason.WRITE, "explain");
        }
        return statement(tokens.subList(i, tokens.size()));
    }

    /** COPY … TO is a read (of a table or a query); COPY … FROM writes. */
    private Route copy(List<Token> tokens) {
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isOperator("(")) {
                depth++;
            } else if (t.isOperator(")")) {
                depth--;
            } else if (depth == 0 && t.isWord("from")) {
                return Route.primary(Reason.COPY_FROM, "");
            } else if (depth == 0 && t.isWord("to")) {
                if (tokens.get(1).isOperator("(")) {
                    return readOnlyQuery(tokens.subList(2, i - 1));
                }
                String unlogged = unloggedIn(tokens.subList(1, i));
                return unlogged == null ? Route.replica(Reason.READ_ONLY) : Route.primary(Reason.UNLOGGED_RELATION, unlogged);
            }
        }
        return Route.primary(Reason.WRITE, "copy");
    }

    /** A SELECT-like query: read-only unless it locks rows, creates a table, or calls a function that must not run on a replica. */
    private Route readOnlyQuery(List<Token> tokens) {
        String unlogged = unloggedIn(tokens);
        if (unlogged != null) {
            return Route.primary(Reason.UNLOGGED_RELATION, unlogged);
        }
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() != Token.Kind.WORD) {
                continue;
            }
            Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            if (t.text().equals("for") && next != null && (next.isWord("update") || next.isWord("share")
                    || next.isWord("no") || next.isWord("key"))) {
                return Route.primary(Reason.LOCKING_CLAUSE, "FOR " + next.text().toUpperCase(java.util.Locale.ROOT));
            }
            if (t.text().equals("into")) {
                return Route.primary(Reason.SELECT_INTO, "");
            }
            if (isModifyingVerb(tokens, i)) {
                return Route.primary(Reason.MODIFYING_CTE, t.text());
            }
            if (t.text().equals("current_setting") && next != null && next.isOperator("(") && i + 2 < tokens.size()
                    && tokens.get(i + 2).kind() == Token.Kind.STRING
                    && PRIMARY_SETTINGS.contains(tokens.get(i + 2).text().toLowerCase(Locale.ROOT))) {
                return Route.primary(Reason.PRIMARY_SETTING, tokens.get(i + 2).text());
            }
            if (next != null && next.isOperator("(") && !NOT_FUNCTIONS.contains(t.text())
                    && !(i > 0 && tokens.get(i - 1).isOperator(".")) && !isColumnList(tokens, i)) {
                Route r = function(t.text(), null);
                if (r != null) {
                    return r;
                }
            } else if (next != null && next.isOperator(".") && i + 3 < tokens.size()
                    && tokens.get(i + 2).kind() == Token.Kind.WORD && tokens.get(i + 3).isOperator("(")) {
                Route r = function(tokens.get(i + 2).text(), t.text());
                if (r != null) {
                    return r;
                }
            }
        }
        return Route.replica(Reason.READ_ONLY);
    }

    /**
     * The first name among {@code tokens} that the catalog knows as an unlogged relation, or null. Any
     * word counts, a column of the same name too (fail closed); a quoted identifier by its lower case.
     */
    private String unloggedIn(List<Token> tokens) {
        if (!catalog.hasUnlogged()) {
            return null;
        }
        for (Token t : tokens) {
            if (t.kind() == Token.Kind.WORD && catalog.isUnlogged(t.text())) {
                return t.text();
            }
            if (t.kind() == Token.Kind.QUOTED_IDENTIFIER) {
                String name = t.text().toLowerCase(Locale.ROOT);
                if (catalog.isUnlogged(name)) {
                    return t.text();
                }
            }
        }
        return null;
    }

    /** Null when the call is harmless on a replica, else the route to the primary. */
    private Route function(String name, String schema) {
        String shown = schema == null ? name : schema + "." + name;
        if (WRITING_FUNCTIONS.contains(name) || name.startsWith("pg_advisory_") || name.startsWith("pg_try_advisory_")
                || (name.startsWith("lo_") && !name.equals("lo_get"))) {
            return Route.primary(Reason.WRITING_FUNCTION, shown);
        }
        if (HARMLESS_VOLATILE.contains(name) && (schema == null || schema.equals("pg_catalog"))) {
            return null;
        }
        FunctionCatalog.Volatility v = catalog.volatility(schema == null ? name : schema + "." + name);
        if (v == null) {
            return Route.primary(Reason.UNKNOWN_FUNCTION, shown);
        }
        return v == FunctionCatalog.Volatility.VOLATILE ? Route.primary(Reason.VOLATILE_FUNCTION, shown) : null;
    }

    /** Whether a WITH statement contains a data-modifying statement anywhere. */
    private static boolean modifies(List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            if (isModifyingVerb(tokens, i)) {
                return true;
            }
        }
        return false;
    }

    /** INSERT, UPDATE, DELETE or MERGE as a statement, not the UPDATE of a locking clause (FOR [NO KEY] UPDATE). */
    private static boolean isModifyingVerb(List<Token> tokens, int i) {
        Token t = tokens.get(i);
        if (t.kind() != Token.Kind.WORD || !Set.of("insert", "update", "delete", "merge").contains(t.text())) {
            return false;
        }
        return !(t.text().equals("update") && i > 0 && (tokens.get(i - 1).isWord("for") || tokens.get(i - 1).isWord("key")));
    }

    /**
     * Whether the word at {@code i}, followed by "(", names columns rather than calls a function: a
     * CTE's column list ({@code r(n) AS (…)}) or an alias's ({@code AS x(a, b)}).
     */
    private static boolean isColumnList(List<Token> tokens, int i) {
        if (i > 0 && tokens.get(i - 1).isWord("as")) {
            return true;
        }
        int depth = 0;
        for (int j = i + 1; j < tokens.size(); j++) {
            if (tokens.get(j).isOperator("(")) {
                depth++;
            } else if (tokens.get(j).isOperator(")") && --depth == 0) {
                return j + 1 < tokens.size() && tokens.get(j + 1).isWord("as");
            }
        }
        return false;
    }
}
