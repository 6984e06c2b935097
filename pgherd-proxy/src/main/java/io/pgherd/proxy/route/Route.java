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
        SERIALIZABLE_READ_ONLY("a SERIALIZABLE read-only transaction, which hot standbys refuse");

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
