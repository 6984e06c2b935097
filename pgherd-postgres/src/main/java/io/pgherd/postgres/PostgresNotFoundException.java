package io.pgherd.postgres;

/** No usable PostgreSQL server binaries were found; the message lists every place searched. */
public final class PostgresNotFoundException extends PostgresException {
    private static final long serialVersionUID = 1L;

    public PostgresNotFoundException(String message) {
        super(message);
    }
}
