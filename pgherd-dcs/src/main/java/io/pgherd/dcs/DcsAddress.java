package io.pgherd.dcs;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the store is: {@code etcd://host:port[,host:port...]} or
 * {@code zookeeper://host:port[,host:port...]}. Ports default to 2379 (etcd) and 2181 (ZooKeeper).
 *
 * @param backend which kind of store
 * @param servers the servers of the store, at least one
 */
public record DcsAddress(Backend backend, List<InetSocketAddress> servers) {

    /** The kinds of store, with their URI scheme and default port. */
    public enum Backend {
        ETCD("etcd", 2379),
        ZOOKEEPER("zookeeper", 2181);

        private final String scheme;
        private final int defaultPort;

        Backend(String scheme, int defaultPort) {
            this.scheme = scheme;
            this.defaultPort = defaultPort;
        }

        public String scheme() {
            return scheme;
        }
    }

    public DcsAddress {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException(backend.scheme + " address needs at least one server");
        }
    }

    /**
     * Parses {@code etcd://h1:2379,h2:2379} or {@code zookeeper://h1:2181}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static DcsAddress parse(String text) {
        // URI cannot parse a comma-separated authority, so the scheme is split off by hand.
        int separator = text == null ? -1 : text.indexOf("://");
        if (separator < 0) {
            throw new IllegalArgumentException("dcs address must look like etcd://host:port or zookeeper://host:port (got " + text + ")");
        }
        String scheme = text.substring(0, separator);
        Backend backend = switch (scheme) {
            case "etcd" -> Backend.ETCD;
            case "zookeeper" -> Backend.ZOOKEEPER;
            default -> throw new IllegalArgumentException("dcs address scheme must be etcd or zookeeper (got " + scheme + " in " + text + ")");
        };
        String rest = text.substring(separator + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty() || rest.contains("/") || rest.contains("?")) {
            throw new IllegalArgumentException("dcs address must be scheme://host:port[,host:port...] with no path (got " + text + ")");
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String hostPort : rest.split(",", -1)) {
            servers.add(parseServer(backend, hostPort, text));
        }
        return new DcsAddress(backend, servers);
    }

    private static InetSocketAddress parseServer(Backend backend, String hostPort, String text) {
        URI uri;
        try {
            uri = new URI(backend.scheme + "://" + hostPort);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("dcs address has an invalid server '" + hostPort + "' in " + text, e);
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || !(uri.getPath() == null || uri.getPath().isEmpty())) {
            throw new IllegalArgumentException("dcs address has an invalid server '" + hostPort + "' in " + text);
        }
        int port = uri.getPort() == -1 ? backend.defaultPort : uri.getPort();
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** The servers as {@code host:port,host:port}, as ZooKeeper connect strings want them. */
    public String hostPorts() {
        return servers.stream().map(DcsAddress::hostPort).collect(Collectors.joining(","));
    }

    static String hostPort(InetSocketAddress server) {
        String host = server.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
    }

    @Override
    public String toString() {
        return backend.scheme + "://" + hostPorts();
    }
}
