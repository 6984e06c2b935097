package io.pgherd.proxy.config;

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

    /** What a node is for: the primary takes writes; standbys (failover candidates) and replicas take reads. */
    public enum Role { PRIMARY, STANDBY, REPLICA }

    /** Which reads the primary takes: none, those no replica can take, or its weighted share. */
    public enum PrimaryReads { NEVER, FALLBACK, ALWAYS }

    /** How fresh a read must be (DESIGN.md §4, consistency). */
    public enum Consistency { EVENTUAL, READ_YOUR_WRITES, STRONG }

    /**
     * A PostgreSQL server the proxy sends work to.
     *
     * @param weight its share of reads among eligible nodes (0: no reads)
     */
    public record Node(String name, String host, int port, Role role, int weight) {
        /** A primary of weight 1. */
        public Node(String name, String host, int port) {
            this(name, host, port, Role.PRIMARY, 1);
        }

        @Override
        public String toString() {
            return name + "@" + host + ":" + port;
        }
    }

    public static final Key<HostPort> LISTEN = Key.address("proxy.listen", new HostPort("127.0.0.1", 6432), RESTART,
            "address clients connect to (host:port); listening beyond loopback must be configured here");
    public static final Key<List<Node>> NODES = Key.custom("proxy.nodes", List.of(), RELOAD,
            "PostgreSQL servers as a list of {name, host, port, role, weight}; role is primary, standby or replica"
                    + " (default: the first is the primary, the others replicas), weight the node's share of reads (default 1)",
            ProxyConfig::readNodes, nodes -> nodes.stream().map(n -> n + "/" + Key.label(n.role()) + "/" + n.weight())
                    .collect(Collectors.joining(",")));
    public static final Key<AuthType> AUTH_TYPE = Key.choice("proxy.auth.type", AuthType.class, AuthType.SCRAM_SHA_256,
            RELOAD, "client authentication: scram-sha-256, md5 (accepts SCRAM too) or trust");
    public static final Key<String> AUTH_FILE = Key.string("proxy.auth.file", null, RELOAD,
            "file of \"user\" \"secret\" lines (SCRAM-SHA-256 or md5 secrets as in pg_authid), PgBouncer's format");
    public static final Key<String> AUTH_QUERY = Key.string("proxy.auth.query",
            "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1 AND rolcanlogin", RELOAD,
            "query run as auth_user in auth.dbname on the primary (on another node while the primary is unreachable) to"
                    + " look up a user's secret when the auth file lacks it");
    public static final Key<String> AUTH_USER = Key.string("proxy.auth.user", null, RELOAD,
            "role that runs auth_query (unset: no auth_query)");
    public static final Key<String> AUTH_DBNAME = Key.string("proxy.auth.dbname", "postgres", RELOAD,
            "database auth_query runs in, whatever database the client asks for (PgBouncer's auth_dbname, whose default"
                    + " is the client's database); a client's missing database is then reported after authentication");
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
    public static final Key<Duration> CLIENT_LOGIN_TIMEOUT = Key.duration("proxy.pool.client_login_timeout",
            Duration.ofSeconds(60), Duration.ZERO, RELOAD, "a client that has not authenticated this long after it connected"
                    + " is closed, as by PostgreSQL's authentication_timeout (0: never; applies to new connections)");
    public static final Key<Integer> MAX_PREPARED_STATEMENTS = Key.integer("proxy.pool.max_prepared_statements", 200, 0,
            100_000, RELOAD, "protocol-level prepared statements kept per server connection (least recently used are closed)");
    public static final Key<String> SERVER_RESET_QUERY = Key.string("proxy.pool.server_reset_query", "DISCARD ALL", RELOAD,
            "run on a server before another client gets it in session mode");
    public static final Key<Boolean> READ_WRITE_SPLIT = Key.bool("proxy.routing.read_write_split", true, RELOAD,
            "send provably read-only statements to standbys and replicas (false: everything to the primary)");
    public static final Key<Boolean> STANDBY_READS = Key.bool("proxy.routing.standby_reads", true, RELOAD,
            "whether nodes of role standby take reads like replicas");
    public static final Key<PrimaryReads> PRIMARY_READS = Key.choice("proxy.routing.primary_reads", PrimaryReads.class,
            PrimaryReads.FALLBACK, RELOAD, "reads on the primary: never, fallback (when no replica is eligible) or always"
                    + " (its weighted share)");
    public static final Key<Integer> MAX_REPLICA_LAG_BYTES = Key.integer("proxy.routing.max_replica_lag_bytes",
            16 << 20, 0, Integer.MAX_VALUE, RELOAD, "a replica further behind the primary's WAL than this gets no reads");
    public static final Key<Duration> MAX_REPLICA_LAG = Key.duration("proxy.routing.max_replica_lag",
            Duration.ofSeconds(10), Duration.ZERO, RELOAD, "a replica whose replay is older than this gets no reads");
    public static final Key<HostPort> PRIMARY_LISTEN = Key.address("proxy.routing.primary_listen", null, RESTART,
            "extra address whose clients always use the primary (a fixed write port; unset: off)");
    public static final Key<HostPort> REPLICA_LISTEN = Key.address("proxy.routing.replica_listen", null, RESTART,
            "extra address whose clients always use a replica, writes refused by the server (a fixed read port; unset: off)");
    public static final Key<Duration> CATALOG_REFRESH = Key.duration("proxy.routing.catalog_refresh",
            Duration.ofSeconds(60), Duration.ofSeconds(1), RELOAD,
            "how often each database's function volatility (pg_proc) is read again (also after DDL through the proxy)");
    public static final Key<Consistency> CONSISTENCY = Key.choice("proxy.consistency.mode", Consistency.class,
            Consistency.READ_YOUR_WRITES, RELOAD, "eventual (lag limit only), read-your-writes (a client's reads see its"
                    + " own commits) or strong (a read sees every commit before it started); per session: SET pgherd.consistency");
    public static final Key<Duration> CONSISTENCY_MAX_WAIT = Key.duration("proxy.consistency.max_wait",
            Duration.ofMillis(50), Duration.ZERO, RELOAD,
            "how long a read waits for a replica to replay past the client's causal token before using the primary");
    public static final Key<Duration> HEALTH_INTERVAL = Key.duration("proxy.health.interval", Duration.ofMillis(500),
            Duration.ofMillis(50), RELOAD, "how often every node is checked (recovery state, replay position, lag)");
    public static final Key<Duration> HEALTH_TIMEOUT = Key.duration("proxy.health.timeout", Duration.ofSeconds(2),
            Duration.ofMillis(100), RELOAD, "a node that does not answer a check within this is down");
    public static final Key<String> HEALTH_USER = Key.string("proxy.health.user", null, RELOAD,
            "role for health checks, catalog reads and WAL positions (default: proxy.auth.user); needed with more than one node");
    public static final Key<String> HEALTH_PASSWORD_FILE = Key.string("proxy.health.password_file", null, RELOAD,
            "file holding health.user's password (default: proxy.auth.password_file)");
    public static final Key<String> CLUSTER_DCS = Key.string("proxy.cluster.dcs", null, RESTART,
            "the HA cluster's DCS (zookeeper://host:port[,...] or etcd://host:port[,...]): the primary, the standbys and"
                    + " the replicas then follow the agents' leader key and member records, and proxy.nodes is only the"
                    + " starting point (unset: proxy.nodes as written)");
    public static final Key<String> CLUSTER_NAME = Key.string("proxy.cluster.name", "pgherd", RESTART,
            "the HA cluster's name in the DCS, as the agents' agent.cluster");
    public static final Key<String> CLUSTER_PROXY_NAME = Key.string("proxy.cluster.proxy_name", null, RESTART,
            "this proxy's name in the DCS (proxies/<name>), unique among the cluster's proxies (default: host:port it"
                    + " listens on)");
    public static final Key<Duration> CLUSTER_HOLD_TIMEOUT = Key.duration("proxy.cluster.hold_timeout",
            Duration.ofSeconds(30), Duration.ZERO, RELOAD,
            "while the cluster has no writable primary (failover, switchover, DCS unreachable) a write transaction waits"
                    + " this long for one before it fails with SQLSTATE 57P03 (0: fail at once)");
    public static final Key<Duration> CLUSTER_DRAIN_TIMEOUT = Key.duration("proxy.cluster.drain_timeout",
            Duration.ofSeconds(5), Duration.ZERO, RELOAD,
            "in a planned switchover, how long transactions in flight on the old primary may take to finish before the"
                    + " proxy acknowledges the switchover anyway");
    public static final Key<Integer> MAX_MESSAGE_BYTES = Key.integer("proxy.max_message_bytes", 256 << 20, 1024,
            1 << 30, RESTART, "largest protocol message accepted from a client, in bytes");
    public static final Key<HostPort> METRICS_LISTEN = Key.address("proxy.metrics.listen", null, RESTART,
            "address of the Prometheus metrics endpoint /metrics (unset: off)");

    /** Every key, in documentation order. */
    public static final List<Key<?>> KEYS = List.of(LISTEN, NODES, AUTH_TYPE, AUTH_FILE, AUTH_QUERY, AUTH_USER,
            AUTH_DBNAME, AUTH_PASSWORD_FILE, ADMIN_USERS, TLS_CERT_FILE, TLS_KEY_FILE, POOL_MODE, MAX_CLIENT_CONN, POOL_SIZE,
            MIN_POOL_SIZE, QUERY_WAIT_TIMEOUT, SERVER_IDLE_TIMEOUT, SERVER_LIFETIME, SERVER_CONNECT_TIMEOUT,
            CLIENT_IDLE_TIMEOUT, CLIENT_LOGIN_TIMEOUT, MAX_PREPARED_STATEMENTS, SERVER_RESET_QUERY, READ_WRITE_SPLIT,
            STANDBY_READS, PRIMARY_READS, MAX_REPLICA_LAG_BYTES, MAX_REPLICA_LAG, PRIMARY_LISTEN, REPLICA_LISTEN,
            CATALOG_REFRESH, CONSISTENCY, CONSISTENCY_MAX_WAIT, HEALTH_INTERVAL, HEALTH_TIMEOUT, HEALTH_USER,
            HEALTH_PASSWORD_FILE, CLUSTER_DCS, CLUSTER_NAME, CLUSTER_PROXY_NAME, CLUSTER_HOLD_TIMEOUT, CLUSTER_DRAIN_TIMEOUT,
            MAX_MESSAGE_BYTES, METRICS_LISTEN);

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

    /** This configuration with {@code nodes} as its nodes (already valid: one primary, distinct names). */
    public ProxyConfig withNodes(List<Node> nodes) {
        return new ProxyConfig(config.with(NODES, List.copyOf(nodes)), source);
    }

    /** The node of role primary. */
    public Node primary() {
        return get(NODES).stream().filter(n -> n.role() == Role.PRIMARY).findFirst().orElseThrow();
    }

    /** Every node, the primary first, then the others in the order configured. */
    public List<Node> primaryFirst() {
        Node primary = primary();
        List<Node> out = new ArrayList<>();
        out.add(primary);
        get(NODES).stream().filter(n -> !n.equals(primary)).forEach(out::add);
        return out;
    }

    /** The role that runs health checks, or null when none is configured. */
    public String healthUser() {
        return get(HEALTH_USER) != null ? get(HEALTH_USER) : get(AUTH_USER);
    }

    /** The file holding {@link #healthUser()}'s password, or null. */
    public String healthPasswordFile() {
        return get(HEALTH_USER) != null ? get(HEALTH_PASSWORD_FILE) : get(AUTH_PASSWORD_FILE);
    }

    private static List<ConfigProblem> check(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (c.get(NODES).isEmpty()) {
            problems.add(new ConfigProblem(NODES.path(), "must list at least the primary"));
        }
        if (c.get(NODES).size() > 1 && c.get(HEALTH_USER) == null && c.get(AUTH_USER) == null) {
            problems.add(new ConfigProblem(HEALTH_USER.path(), "must be set (or proxy.auth.user) when proxy.nodes lists"
                    + " more than the primary: replicas are checked and WAL positions read as this role"));
        }
        if (c.get(HEALTH_USER) != null && c.get(HEALTH_PASSWORD_FILE) == null) {
            problems.add(new ConfigProblem(HEALTH_PASSWORD_FILE.path(), "must be set when proxy.health.user is"));
        }
        if (c.get(MIN_POOL_SIZE) > c.get(POOL_SIZE)) {
            problems.add(new ConfigProblem(MIN_POOL_SIZE.path(), "must be <= proxy.pool.pool_size ("
                    + c.get(POOL_SIZE) + ") (got " + c.get(MIN_POOL_SIZE) + ")"));
        }
        if ((c.get(TLS_CERT_FILE) == null) != (c.get(TLS_KEY_FILE) == null)) {
            problems.add(new ConfigProblem("proxy.tls", "cert_file and key_file must be set together"));
        }
        for (Key<String> file : List.of(AUTH_FILE, AUTH_PASSWORD_FILE, TLS_CERT_FILE, TLS_KEY_FILE, HEALTH_PASSWORD_FILE)) {
            String path = c.get(file);
            if (path != null && !Files.isReadable(Path.of(path))) {
                problems.add(new ConfigProblem(file.path(), "cannot read file " + path));
            }
        }
        if (c.get(AUTH_TYPE) != AuthType.TRUST && c.get(AUTH_FILE) == null && c.get(AUTH_USER) == null) {
            problems.add(new ConfigProblem("proxy.auth", "needs a file or a user for auth_query (or type: trust)"));
        }
        if (c.get(AUTH_DBNAME).isBlank()) {
            problems.add(new ConfigProblem(AUTH_DBNAME.path(), "must name a database (got an empty string)"));
        }
        if (c.get(AUTH_USER) != null && c.get(AUTH_PASSWORD_FILE) == null) {
            problems.add(new ConfigProblem(AUTH_PASSWORD_FILE.path(), "must be set when proxy.auth.user is"));
        }
        if (c.get(CLUSTER_DCS) != null) {
            try {
                io.pgherd.dcs.DcsAddress.parse(c.get(CLUSTER_DCS));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(CLUSTER_DCS.path(), e.getMessage()));
            }
        }
        try {
            new io.pgherd.dcs.ClusterKeys(c.get(CLUSTER_NAME));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(CLUSTER_NAME.path(), e.getMessage()));
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
                if (!Set.of("name", "host", "port", "role", "weight").contains(f)) {
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
            Role role = i == 0 ? Role.PRIMARY : Role.REPLICA;
            JsonNode roleNode = n.path("role");
            if (!roleNode.isMissingNode()) {
                role = switch (roleNode.asText("").toLowerCase(java.util.Locale.ROOT)) {
                    case "primary" -> Role.PRIMARY;
                    case "standby" -> Role.STANDBY;
                    case "replica" -> Role.REPLICA;
                    default -> {
                        problems.add(new ConfigProblem(at + ".role", "must be one of primary, standby, replica (got "
                                + Key.shown(roleNode) + ")"));
                        yield role;
                    }
                };
            }
            JsonNode weightNode = n.path("weight");
            int weight = 1;
            if (!weightNode.isMissingNode()) {
                if (!weightNode.isIntegralNumber() || !weightNode.canConvertToInt() || weightNode.asInt() < 0
                        || weightNode.asInt() > 1000) {
                    problems.add(new ConfigProblem(at + ".weight", "must be 0..1000 (got " + Key.shown(weightNode) + ")"));
                } else {
                    weight = weightNode.asInt();
                }
            }
            nodes.add(new Node(name, host, port.asInt(), role, weight));
        }
        long primaries = nodes.stream().filter(x -> x.role() == Role.PRIMARY).count();
        if (!nodes.isEmpty() && primaries != 1) {
            problems.add(new ConfigProblem(path, "must have exactly one node of role primary (got " + primaries + ")"));
        }
        return problems.size() == before ? List.copyOf(nodes) : null;
    }
}
