package io.pgherd.postgres;

/**
 * A local PostgreSQL installation or server did not do what was asked. The message says what
 * failed, on which server or path, and what was observed; subclasses name the common causes so
 * callers and tests can tell them apart.
 */
public class PostgresException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PostgresException(String message) {
        super(message);
    }

    public PostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
