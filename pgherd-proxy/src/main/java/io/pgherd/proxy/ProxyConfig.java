package io.pgherd.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.common.config.Config;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;

/**
 * The proxy's configuration: the {@code proxy} section of {@code pgherd.yml}, declared once as a
 * table of {@link Key}s (unit, default, whether {@code RELOAD} may change it) that drives reading,
 * validation, {@code SHOW CONFIG} and the README's reference. Immutable; a reload builds a new one.
 */
public final class ProxyConfig {
    private static final boolean RELOAD = true;
    private static final boolean RESTART = false;

    /** How clients prove who they are. */
    public enum AuthType { SCRAM_SHA_256, MD5, TRUST }

    /** When a server connection goes back to the pool. */
    public enum PoolMode { TRANSACTION, SESSION }

    /** A PostgreSQL server the proxy sends work to. */
    public record Node(String name, String host, int port) {
        @Override
        public String toString() {
            return name + "@" + host + ":" + port;
        }
    }

    public static final Key<HostPort> LISTEN = Key.address("proxy.listen", new HostPort("127.0.0.1", 6432), RESTART,
            "address clients connect to (host:port); listening beyond loopback must be configured here");
    public static final Key<List<Node>> NODES = Key.custom("proxy.nodes", List.of(), RELOAD,
            "PostgreSQL servers as a list of {name, host, port}; the first is the primary", ProxyConfig::readNodes,
            nodes -> nodes.stream().map(Node::toString).collect(Collectors.joining(",")));
    public static final Key<AuthType> AUTH_TYPE = Key.choice("proxy.auth.type", AuthType.class, AuthType.SCRAM_SHA_256,
            RELOAD, "client authentication: scram-sha-256, md5 (accepts SCRAM too) or trust");
    public static final Key<String> AUTH_FILE = Key.string("proxy.auth.file", null, RELOAD,
            "file of \"user\" \"secret\" lines (SCRAM-SHA-256 or md5 secrets as in pg_authid), PgBouncer's format");
    public static final Key<String> AUTH_QUERY = Key.string("proxy.auth.query",
            "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1 AND rolcanlogin", RELOAD,
            "query run on the primary as auth_user to look up a user's secret when the auth file lacks it");
    public static final Key<String> AUTH_USER = Key.string("proxy.auth.user", null, RELOAD,
            "role that runs auth_query (unset: no auth_query)");
    public static final Key<String> AUTH_PASSWORD_FILE = Key.string("proxy.auth.password_file", null, RELOAD,
            "file holding auth_user's password (first line), readable only by the proxy's user");
    public static final Key<List<String>> ADMIN_USERS = Key.strings("proxy.admin_users", List.of(), RELOAD,
            "users allowed into the admin console (database pgherd); they authenticate like any user");
    public static final Key<String> TLS_CERT_FILE = Key.string("proxy.tls.cert_file", null, RESTART,
            "PEM certificate chain offered to clients that ask for TLS (unset: TLS refused)");
    public static final Key<String> TLS_KEY_FILE = Key.string("proxy.tls.key_file", null, RESTART,
            "PEM private key (PKCS#8) of cert_file");
    public static final Key<PoolMode> POOL_MODE = Key.choice("proxy.pool.mode", PoolMode.class, PoolMode.TRANSACTION,
            RELOAD, "transaction: a server is held for one transaction; session: for the whole client connection");
    public static final Key<Integer> MAX_CLIENT_CONN = Key.integer("proxy.pool.max_client_conn", 10_000, 1, 1_000_000,
            RELOAD, "client connections accepted at once; more are refused with SQLSTATE 53300");
    public static final Key<Integer> POOL_SIZE = Key.integer("proxy.pool.pool_size", 20, 1, 10_000, RELOAD,
            "server connections per (node, database, user)");
    public static final Key<Integer> MIN_POOL_SIZE = Key.integer("proxy.pool.min_pool_size", 0, 0, 10_000, RELOAD,
            "server connections kept open per pool even when idle");
    public static final Key<Duration> QUERY_WAIT_TIMEOUT = Key.duration("proxy.pool.query_wait_timeout",
            Duration.ofSeconds(120), Duration.ZERO, RELOAD,
            "how long a client may wait for a server connection before an error (0: forever)");
    public static final Key<Duration> SERVER_IDLE_TIMEOUT = Key.duration("proxy.pool.server_idle_timeout",
            Duration.ofSeconds(600), Duration.ZERO, RELOAD, "idle server connections above min_pool_size close after this (0: never)");
    public static final Key<Duration> SERVER_LIFETIME = Key.duration("proxy.pool.server_lifetime",
            Duration.ofSeconds(3600), Duration.ZERO, RELOAD, "a server connection closes when released after this age (0: never)");
    public static final Key<Duration> SERVER_CONNECT_TIMEOUT = Key.duration("proxy.pool.server_connect_timeout",
            Duration.ofSeconds(15), Duration.ofMillis(100), RELOAD, "connecting and logging in to a server, at most");
    public static final Key<Duration> CLIENT_IDLE_TIMEOUT = Key.duration("proxy.pool.client_idle_timeout",
            Duration.ZERO, Duration.ZERO, RELOAD, "a client idle outside a transaction this long is closed (0: never)");
    public static final Key<Integer> MAX_PREPARED_STATEMENTS = Key.integer("proxy.pool.max_prepared_statements", 200, 0,
            100_000, RELOAD, "protocol-level prepared statements kept per server connection (least recently used are closed)");
    public static final Key<String> SERVER_RESET_QUERY = Key.string("proxy.pool.server_reset_query", "DISCARD ALL", RELOAD,
            "run on a server before another client gets it in session mode");
    public static final Key<Integer> MAX_MESSAGE_BYTES = Key.integer("proxy.max_message_bytes", 256 << 20, 1024,
            1 << 30, RESTART, "largest protocol message accepted from a client, in bytes");
    public static final Key<HostPort> METRICS_LISTEN = Key.address("proxy.metrics.listen", null, RESTART,
            "address of the Prometheus metrics endpoint /metrics (unset: off)");

    /** Every key, in documentation order. */
    public static final List<Key<?>> KEYS = List.of(LISTEN, NODES, AUTH_TYPE, AUTH_FILE, AUTH_QUERY, AUTH_USER,
            AUTH_PASSWORD_FILE, ADMIN_USERS, TLS_CERT_FILE, TLS_KEY_FILE, POOL_MODE, MAX_CLIENT_CONN, POOL_SIZE,
            MIN_POOL_SIZE, QUERY_WAIT_TIMEOUT, SERVER_IDLE_TIMEOUT, SERVER_LIFETIME, SERVER_CONNECT_TIMEOUT,
            CLIENT_IDLE_TIMEOUT, MAX_PREPARED_STATEMENTS, SERVER_RESET_QUERY, MAX_MESSAGE_BYTES, METRICS_LISTEN);

    private final Config config;
    private final String source;

    private ProxyConfig(Config config, String source) {
        this.config = config;
        this.source = source;
    }

    /** Reads and validates {@code file}; throws {@link io.pgherd.common.config.ConfigException} listing every problem. */
    public static ProxyConfig load(Path file) {
        return new ProxyConfig(Config.load(file, KEYS, ProxyConfig::check), file.toString());
    }

    /** Reads and validates YAML text (for tests and embedding). */
    public static ProxyConfig read(String yaml, String source) {
        return new ProxyConfig(Config.read(yaml, source, KEYS, ProxyConfig::check), source);
    }

    public <T> T get(Key<T> key) {
        return config.get(key);
    }

    public Config values() {
        return config;
    }

    public String source() {
        return source;
    }

    /** The primary: the first node. */
    public Node primary() {
        return get(NODES).get(0);
    }

    private static List<ConfigProblem> check(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (c.get(NODES).isEmpty()) {
            problems.add(new ConfigProblem(NODES.path(), "must list at least the primary"));
        }
        if (c.get(MIN_POOL_SIZE) > c.get(POOL_SIZE)) {
            problems.add(new ConfigProblem(MIN_POOL_SIZE.path(), "must be <= proxy.pool.pool_size ("
                    + c.get(POOL_SIZE) + ") (got " + c.get(MIN_POOL_SIZE) + ")"));
        }
        if ((c.get(TLS_CERT_FILE) == null) != (c.get(TLS_KEY_FILE) == null)) {
            problems.add(new ConfigProblem("proxy.tls", "cert_file and key_file must be set together"));
        }
        for (Key<String> file : List.of(AUTH_FILE, AUTH_PASSWORD_FILE, TLS_CERT_FILE, TLS_KEY_FILE)) {
            String path = c.get(file);
            if (path != null && !Files.isReadable(Path.of(path))) {
                problems.add(new ConfigProblem(file.path(), "cannot read file " + path));
            }
        }
        if (c.get(AUTH_TYPE) != AuthType.TRUST && c.get(AUTH_FILE) == null && c.get(AUTH_USER) == null) {
            problems.add(new ConfigProblem("proxy.auth", "needs a file or a user for auth_query (or type: trust)"));
        }
        if (c.get(AUTH_USER) != null && c.get(AUTH_PASSWORD_FILE) == null) {
            problems.add(new ConfigProblem(AUTH_PASSWORD_FILE.path(), "must be set when proxy.auth.user is"));
        }
        return problems;
    }

    private static List<Node> readNodes(JsonNode node, String path, List<ConfigProblem> problems) {
        if (!node.isArray()) {
            return Key.fail(problems, path, "must be a list of {name, host, port} (got " + Key.shown(node) + ")");
        }
        List<Node> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int before = problems.size();
        for (int i = 0; i < node.size(); i++) {
            JsonNode n = node.get(i);
            String at = path + "[" + i + "]";
            if (!n.isObject()) {
                problems.add(new ConfigProblem(at, "must be a mapping with name, host and port"));
                continue;
            }
            n.fieldNames().forEachRemaining(f -> {
                if (!Set.of("name", "host", "port").contains(f)) {
                    problems.add(new ConfigProblem(at + "." + f, "unknown key"));
                }
            });
            String name = n.path("name").asText("");
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                problems.add(new ConfigProblem(at + ".name", "must be letters, digits, _ . or - (got " + Key.shown(n.path("name")) + ")"));
            } else if (!names.add(name)) {
                problems.add(new ConfigProblem(at + ".name", "is used twice (" + name + ")"));
            }
            JsonNode hostNode = n.path("host");
            String host = hostNode.isMissingNode() ? "127.0.0.1" : hostNode.asText("");
            if (!hostNode.isMissingNode() && (!hostNode.isTextual() || host.isBlank())) {
                problems.add(new ConfigProblem(at + ".host", "must be a host name or address (got " + Key.shown(hostNode) + ")"));
            }
            JsonNode port = n.path("port");
            if (!port.isIntegralNumber() || !port.canConvertToInt() || port.asInt() < 1 || port.asInt() > 65535) {
                problems.add(new ConfigProblem(at + ".port", "must be 1..65535 (got " + Key.shown(port) + ")"));
            }
            nodes.add(new Node(name, host, port.asInt()));
        }
        return problems.size() == before ? List.copyOf(nodes) : null;
    }
}
