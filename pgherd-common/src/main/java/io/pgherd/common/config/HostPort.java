package io.pgherd.common.config;

/** A TCP address as written in configuration: {@code host:port}. */
public record HostPort(String host, int port) {
    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("must be host:port (got '" + text + "')");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") || host.endsWith("]")) {
            if (!host.startsWith("[") || !host.endsWith("]") || host.length() == 2) {
                throw new IllegalArgumentException("an IPv6 address must be written [address]:port (got '" + text + "')");
            }
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number (got '" + text.substring(colon + 1) + "')");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535 (got " + port + ")");
        }
        return new HostPort(host, port);
    }

    /** Whether this address is on the loopback interface only. */
    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
