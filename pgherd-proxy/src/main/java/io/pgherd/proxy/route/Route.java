package io.pgherd.proxy.route;

/**
 * Where a statement may run and why.
 *
 * @param target the primary, or any replica
 * @param reason the rule that decided, as counted by SHOW ROUTING
 * @param detail what in the statement triggered the rule (a function name, a keyword), or empty
 */
public record Route(Target target, Reason reason, String detail) {
    /** Where work goes. */
    public enum Target { PRIMARY, REPLICA }

    /** The routing rules, each with the sentence EXPLAIN ROUTE shows. */
    public enum Reason {
        READ_ONLY("provably read-only"),
        HINT_PRIMARY("hint /* pgherd:primary */"),
        HINT_REPLICA("hint /* pgherd:replica */ on a read-only statement"),
        UNPARSABLE("could not be scanned (unterminated string or comment)"),
        EMPTY("empty statement"),
        WRITE("writes or changes the schema"),
        LOCKING_CLAUSE("takes row locks (FOR UPDATE/SHARE)"),
        SELECT_INTO("SELECT INTO creates a table"),
        MODIFYING_CTE("a WITH clause modifies data"),
        WRITING_FUNCTION("calls a function that writes or is bound to the session"),
        VOLATILE_FUNCTION("calls a user-defined VOLATILE function"),
        UNKNOWN_FUNCTION("calls a function the catalog does not know"),
        READ_ONLY_TRANSACTION("starts a read-only transaction"),
        TRANSACTION_CONTROL("transaction control"),
        SESSION("session command (settings, cursors, prepared statements, LISTEN)"),
        COPY_FROM("COPY FROM writes"),
        SERIALIZABLE_READ_ONLY("a SERIALIZABLE read-only transaction, which hot standbys refuse"),
        LEARNED_WRITE("a replica refused this statement before (SQLSTATE 25006 or 0A000)"),
        UNLOGGED_RELATION("reads an unlogged relation, which hot standbys cannot read"),
        SERIALIZABLE_DEFAULT("the session's default_transaction_isolation is serializable, which hot standbys refuse"),
        PRIMARY_SETTING("shows a setting a replica answers differently (transaction_read_only, in_hot_standby)"),
        // Decisions the session makes around the router:
        RETRY_ON_PRIMARY("a replica refused it (SQLSTATE 25006 or 0A000) before any answer; run again on the primary"),
        NOT_ON_REPLICA("the replica does not have the database yet (SQLSTATE 3D000); the primary takes the work"),
        PINNED("the session is pinned to its server"),
        SESSION_POOLING("session pooling keeps one server per client"),
        FIXED_PRIMARY("the client connected to the primary-only port"),
        FIXED_REPLICA("the client connected to the replica-only port"),
        ROUTE_PRIMARY("SET pgherd.route = primary"),
        NO_STATEMENT("no statement to judge (Sync, Describe or Close only)"),
        INCOMPLETE_BATCH("an extended-protocol batch that has not reached Sync"),
        FUNCTION_CALL("a FunctionCall message"),
        NO_REPLICA("no replica is eligible; the primary takes the read"),
        NOT_CAUGHT_UP("no replica replayed the client's causal token within consistency.max_wait"),
        NO_POSITION("the primary's WAL position could not be read; the primary takes the read"),
        SPLIT_OFF("read/write splitting is off or there are no replicas");

        private final String sentence;

        Reason(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }
    }

    static Route primary(Reason reason, String detail) {
        return new Route(Target.PRIMARY, reason, detail);
    }

    static Route replica(Reason reason) {
        return new Route(Target.REPLICA, reason, "");
    }

    /** One line for EXPLAIN ROUTE: target, then why. */
    public String explain() {
        return target.name().toLowerCase(java.util.Locale.ROOT) + ": " + reason.sentence() + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
