package io.pgherd.proxy.session;

import java.util.List;

/**
 * A protocol-level prepared statement as one client parsed it: its text and declared parameter
 * types, the server-side name its own Parse created ({@code pgherd_<n>}, never shared; empty for the
 * unnamed statement, which keeps its name), and once the server described it, the {@link
 * StatementShape} it is fixed to. Used on the session's event loop only.
 */
final class ClientStatement {
    private final String query;
    private final List<Integer> declaredTypes;
    private final String serverName;
    private StatementShape shape;

    ClientStatement(String query, List<Integer> declaredTypes, String serverName) {
        this.query = query;
        this.declaredTypes = List.copyOf(declaredTypes);
        this.serverName = serverName;
    }

    String query() {
        return query;
    }

    List<Integer> declaredTypes() {
        return declaredTypes;
    }

    String serverName() {
        return serverName;
    }

    /** The shape the statement was fixed to when parsed; null until the server described it. */
    StatementShape shape() {
        return shape;
    }

    void described(StatementShape shape) {
        this.shape = shape;
    }

    /** Whether a Parse of {@code query} with {@code types} would create this very statement again. */
    boolean sameParse(String query, List<Integer> types) {
        return this.query.equals(query) && declaredTypes.equals(types);
    }
}
