package io.pgherd.proxy.auth;

import java.util.Objects;

import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.SqlState;

/**
 * {@code auth_query} could not run: its database is missing, {@code auth_user} was refused, no node
 * answered. Says what failed on which node and database, with the server's SQLSTATE, so the client's
 * error names the proxy's configuration problem rather than the client's login.
 */
public final class AuthQueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String sqlState;

    /**
     * @param sqlState the server's (or the driver's) SQLSTATE; {@code 08006} when it gave none
     * @param message what failed, e.g. {@code auth_query in database "auth" on node1 failed: database "auth" does not exist}
     */
    public AuthQueryException(String sqlState, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.sqlState = sqlState != null && sqlState.matches("[0-9A-Z]{5}") ? sqlState : SqlState.CONNECTION_FAILURE;
    }

    public String sqlState() {
        return sqlState;
    }

    /** A FATAL ErrorResponse for the client logging in as {@code user}: {@code pgherd: could not look up user "u": <message>}. */
    public ErrorResponse toErrorResponse(String user) {
        return ErrorResponse.pgherdFatal(sqlState, "could not look up user \"" + user + "\": " + getMessage());
    }
}
