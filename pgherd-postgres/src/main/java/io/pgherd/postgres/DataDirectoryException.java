package io.pgherd.postgres;

/** A data directory cannot be used: not empty, owned by another user, or not reachable by the server user. */
public final class DataDirectoryException extends PostgresException {
    private static final long serialVersionUID = 1L;

    public DataDirectoryException(String message) {
        super(message);
    }
}
