package io.pgherd.postgres;

/** A TCP port a server must listen on is taken; the message names the port and, if known, the process. */
public final class PortInUseException extends PostgresException {
    private static final long serialVersionUID = 1L;
    private final int port;

    public PortInUseException(int port, String message) {
        super(message);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
