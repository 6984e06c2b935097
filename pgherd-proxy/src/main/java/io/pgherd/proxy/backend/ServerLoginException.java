package io.pgherd.proxy.backend;

import io.pgherd.protocol.ErrorResponse;

/**
 * Logging in to a server failed. Carries the server's own ErrorResponse when it sent one (a wrong
 * database, a refused role), so the client sees what PostgreSQL said.
 */
public final class ServerLoginException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorResponse error;

    public ServerLoginException(String sqlState, String message) {
        super(message);
        this.error = ErrorResponse.pgherdFatal(sqlState, message);
    }

    public ServerLoginException(ErrorResponse serverError) {
        super(serverError.message());
        this.error = serverError;
    }

    /** What to send the client. */
    public ErrorResponse error() {
        return error;
    }
}
