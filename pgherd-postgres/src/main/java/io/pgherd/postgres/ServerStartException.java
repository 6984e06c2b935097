package io.pgherd.postgres;

/** A PostgreSQL server did not start; the message carries the last lines of its log. */
public final class ServerStartException extends PostgresException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message) {
        super(message);
    }
}
