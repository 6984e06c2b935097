package io.pgherd.protocol;

/**
 * The SQLSTATE codes pgherd itself reports, named as in PostgreSQL's {@code errcodes.txt}.
 *
 * <p>Only codes the proxy can raise live here; codes of server errors are passed through as
 * the server sent them.
 */
public final class SqlState {

    /** {@code 08P01}: the peer broke the wire protocol. */
    public static final String PROTOCOL_VIOLATION = "08P01";
    /** {@code 08006}: a connection to a server failed. */
    public static final String CONNECTION_FAILURE = "08006";
    /** {@code 0A000}: for example an unsupported protocol version. */
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    /** {@code 28000}: for example a startup packet without a user name. */
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    /** {@code 28P01}: wrong password. */
    public static final String INVALID_PASSWORD = "28P01";
    /** {@code 53300}: a pool or connection limit is reached. */
    public static final String TOO_MANY_CONNECTIONS = "53300";
    /** read_only_sql_transaction: a write on a hot standby or in a read-only transaction. */
    public static final String READ_ONLY_SQL_TRANSACTION = "25006";
    /** {@code 3D000}: invalid_catalog_name, a database that does not exist (yet, on a replica that has not replayed its creation). */
    public static final String INVALID_CATALOG_NAME = "3D000";
    /** {@code 57P01}: the proxy or a server is shutting down. */
    public static final String ADMIN_SHUTDOWN = "57P01";
    /** {@code 57P03}: no server can take the work now (a followed cluster found no writable primary in time). */
    public static final String CANNOT_CONNECT_NOW = "57P03";
    /** {@code 22023}: for example a startup parameter {@code client_encoding} naming no encoding. */
    public static final String INVALID_PARAMETER_VALUE = "22023";

    private SqlState() {
    }

    /**
     * Whether {@code code} says a server could not be reached or takes no sessions now: a connection
     * exception (class 08) or an operator intervention that ends or refuses sessions (57P01 to 57P05,
     * such as a shutdown or a server still starting). Another node, or the same one later, may answer.
     * A cancelled statement (57014) is not one.
     */
    public static boolean serverUnavailable(String code) {
        return code != null && (code.startsWith("08") || code.startsWith("57P"));
    }

    /**
     * Checks that {@code code} has the shape of a SQLSTATE: five digits or upper-case letters.
     *
     * @return {@code code}
     * @throws IllegalArgumentException if it does not
     */
    public static String require(String code) {
        if (code == null || !code.matches("[0-9A-Z]{5}")) {
            throw new IllegalArgumentException(
                    "SQLSTATE must be 5 digits or upper-case letters (got " + code + ")");
        }
        return code;
    }
}
