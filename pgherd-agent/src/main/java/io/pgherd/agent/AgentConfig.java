package io.pgherd.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pgherd.cluster.DynamicConfig.Timings;
import io.pgherd.common.config.Config;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;
import io.pgherd.postgres.PostgresNode;

/**
 * One agent's configuration: the {@code agent} section of its {@code node.yml}, a table of
 * {@link Key}s validated as a whole (every problem listed), including Patroni's timing rule
 * {@code loop_wait + 2 * retry_timeout <= ttl}. Immutable.
 */
public final class AgentConfig {
    /**
     * What the member is for: a standby may be promoted, a replica never is, a spare holds no data until the
     * controller assigns it to serve as a read replica (and wipes it when released).
     */
    public enum Role { STANDBY, REPLICA, SPARE }

    public static final Key<String> CLUSTER = Key.string("agent.cluster", null, false,
            "cluster name; its keys live under /pgherd/<cluster>/ in the DCS");
    public static final Key<String> NAME = Key.string("agent.name", null, false, "this member's name, unique in the cluster");
    public static final Key<String> DCS = Key.string("agent.dcs", null, false,
            "the DCS: zookeeper://host:port[,host:port…] or etcd://host:port[,…]");
    public static final Key<Role> ROLE = Key.choice("agent.role", Role.class, Role.STANDBY, false,
            "standby (a failover candidate), replica (serves reads, never promoted: Patroni's nofailover) or spare (no"
                    + " data until the controller assigns it as a read replica; wiped when released)");
    public static final Key<Integer> FAILOVER_PRIORITY = Key.integer("agent.failover_priority", 1, 0, 1000, true,
            "among candidates at the same WAL position the higher wins");
    public static final Key<Boolean> NO_LOAD_BALANCE = Key.bool("agent.tags.noloadbalance", false, false,
            "serve no reads: GET /replica and /read-only answer 503, so load balancers leave it out");
    public static final Key<Boolean> CLONE_FROM = Key.bool("agent.tags.clonefrom", false, false,
            "new members clone from this running standby rather than from the leader");
    public static final Key<String> DIRECTORY = Key.string("agent.postgres.dir", null, false,
            "the node's directory (its data directory is dir/data, its server log dir/postgresql.log)");
    public static final Key<Integer> PORT = Key.integer("agent.postgres.port", 5432, 1, 65535, false,
            "PostgreSQL's port, on each address of agent.postgres.listen");
    public static final Key<List<String>> LISTEN = Key.strings("agent.postgres.listen", List.of(PostgresNode.LOOPBACK), false,
            "the addresses PostgreSQL listens on (its listen_addresses; * for all); 127.0.0.1 is added when not"
                    + " covered, for the agent's own connections");
    public static final Key<HostPort> CONNECT_ADDRESS = Key.address("agent.postgres.connect_address", null, false,
            "host:port at which other members, controllers and proxies reach this PostgreSQL, published in the member"
                    + " record (default: 127.0.0.1 and agent.postgres.port; required when agent.postgres.listen is not"
                    + " loopback only)");
    public static final Key<List<String>> ALLOW_MEMBERS = Key.strings("agent.postgres.allow.members", null, false,
            "networks (address/prefix) of the cluster's other members: pg_hba.conf lets them stream as the replication"
                    + " user and log in as the superuser (pg_rewind, slot drops), with a scram-sha-256 password");
    public static final Key<List<String>> ALLOW_CLIENTS = Key.strings("agent.postgres.allow.clients", null, false,
            "networks (address/prefix) from which any role may log in with a scram-sha-256 password: proxies,"
                    + " applications");
    public static final Key<String> BIN_DIR = Key.string("agent.postgres.bin_dir", null, false,
            "PostgreSQL's binaries (default: searched as for pgherd up)");
    public static final Key<String> CREDENTIALS_DIR = Key.string("agent.postgres.credentials_dir", null, false,
            "directory holding superuser.password and replication.pgpass, shared by the cluster's agents");
    public static final Key<HostPort> API_LISTEN = Key.address("agent.api.listen", new HostPort("127.0.0.1", 8008), false,
            "the REST API's address");
    public static final Key<HostPort> API_CONNECT_ADDRESS = Key.address("agent.api.connect_address", null, false,
            "host:port at which others reach the REST API, published in the member record as its api_url (default:"
                    + " agent.api.listen; required when that is a wildcard address)");
    public static final Key<String> API_USER = Key.string("agent.api.user", "pgherd", false,
            "user for the API's writing endpoints (HTTP basic authentication)");
    public static final Key<String> API_PASSWORD_FILE = Key.string("agent.api.password_file", null, false,
            "file holding the API user's password (default: the superuser's password file)");
    public static final Key<String> API_READONLY_USER = Key.string("agent.api.readonly_user", null, false,
            "a user for monitoring that may read but not write (403 on the writing endpoints); unset: none");
    public static final Key<String> API_READONLY_PASSWORD_FILE = Key.string("agent.api.readonly_password_file", null, false,
            "file holding the read-only user's password (required with agent.api.readonly_user)");
    public static final Key<Duration> TTL = Key.duration("agent.ha.ttl", Timings.DEFAULTS.ttl(), Duration.ofSeconds(2), true,
            "the leader key's time to live: a leader that stops renewing loses it after this");
    public static final Key<Duration> LOOP_WAIT = Key.duration("agent.ha.loop_wait", Timings.DEFAULTS.loopWait(),
            Duration.ofMillis(100), true, "time between two cycles (DCS changes wake the loop early)");
    public static final Key<Duration> RETRY_TIMEOUT = Key.duration("agent.ha.retry_timeout", Timings.DEFAULTS.retryTimeout(),
            Duration.ofMillis(100), true, "how long a DCS or PostgreSQL operation may take before it counts as failed");
    public static final Key<Integer> MAXIMUM_LAG_ON_FAILOVER = Key.integer("agent.ha.maximum_lag_on_failover", (int) Timings.DEFAULTS.maximumLagOnFailover(), 0,
            Integer.MAX_VALUE, true, "bytes behind the last known primary position beyond which a standby may not take the key");
    public static final Key<Boolean> SYNCHRONOUS_MODE = Key.bool("agent.ha.synchronous_mode", false, true,
            "keep one synchronous standby; only it may be promoted, so acknowledged commits survive failover (while"
                    + " no standby streams, writes go on without one and no standby is promoted automatically)");
    public static final Key<Duration> SLOT_RETENTION = Key.duration("agent.ha.slot_retention", Duration.ofMinutes(5),
            Duration.ZERO, true, "the leader keeps the replication slot of a member gone for up to this long (its WAL is kept)");
    public static final Key<Integer> MAX_START_ATTEMPTS = Key.integer("agent.ha.max_start_attempts", 3, 1, 100, true,
            "failed starts of a leader's PostgreSQL before it releases the key");
    public static final Key<Duration> START_TIMEOUT = Key.duration("agent.ha.start_timeout", Duration.ofSeconds(30),
            Duration.ofSeconds(1), true, "how long one start or promotion of PostgreSQL may take");

    public static final Key<Duration> PROXY_ACK_TIMEOUT = Key.duration("agent.ha.proxy_ack_timeout", Duration.ofSeconds(10),
            Duration.ZERO, false, "in a planned switchover, how long the old primary waits for every registered proxy to"
                    + " acknowledge (no new write transactions, those in flight finished) before it shuts down anyway"
                    + " (0: no wait)");

    public static final List<Key<?>> KEYS = List.of(CLUSTER, NAME, DCS, ROLE, FAILOVER_PRIORITY, NO_LOAD_BALANCE, CLONE_FROM,
            DIRECTORY, PORT, BIN_DIR, CREDENTIALS_DIR, API_LISTEN, API_USER, API_PASSWORD_FILE, API_READONLY_USER,
            API_READONLY_PASSWORD_FILE, TTL, LOOP_WAIT, RETRY_TIMEOUT,
            MAXIMUM_LAG_ON_FAILOVER, SYNCHRONOUS_MODE, SLOT_RETENTION, MAX_START_ATTEMPTS, START_TIMEOUT, PROXY_ACK_TIMEOUT,
            LISTEN, CONNECT_ADDRESS, ALLOW_MEMBERS, ALLOW_CLIENTS, API_CONNECT_ADDRESS);

    private final Config config;

    private AgentConfig(Config config) {
        this.config = config;
    }

    public static AgentConfig load(Path file) {
        return new AgentConfig(Config.load(file, KEYS, AgentConfig::check));
    }

    public static AgentConfig read(String yaml, String source) {
        return new AgentConfig(Config.read(yaml, source, KEYS, AgentConfig::check));
    }

    /** The timings of this file ({@code agent.ha.*}), which the cluster's dynamic configuration may override. */
    public Timings timings() {
        return new Timings(get(TTL), get(LOOP_WAIT), get(RETRY_TIMEOUT), get(MAXIMUM_LAG_ON_FAILOVER));
    }

    public <T> T get(Key<T> key) {
        return config.get(key);
    }

    public String name() {
        return get(NAME);
    }

    public Path directory() {
        return Path.of(get(DIRECTORY));
    }

    public Path credentialsDirectory() {
        return Path.of(get(CREDENTIALS_DIR));
    }

    /** PostgreSQL's {@code listen_addresses}: {@link #LISTEN}, with 127.0.0.1 added when no entry covers it. */
    public List<String> listenAddresses() {
        return MemberAddresses.listenAddresses(get(LISTEN));
    }

    /** Where others reach this member's PostgreSQL: {@link #CONNECT_ADDRESS}, else 127.0.0.1 and {@link #PORT}. */
    public HostPort connectAddress() {
        HostPort set = get(CONNECT_ADDRESS);
        return set != null ? set : new HostPort(PostgresNode.LOOPBACK, get(PORT));
    }

    /** Where others reach this member's REST API: {@link #API_CONNECT_ADDRESS}, else {@link #API_LISTEN}. */
    public HostPort apiConnectAddress() {
        HostPort set = get(API_CONNECT_ADDRESS);
        return set != null ? set : get(API_LISTEN);
    }

    /** The networks of the other members, for pg_hba.conf (empty: loopback only). */
    public List<String> memberNetworks() {
        return get(ALLOW_MEMBERS) == null ? List.of() : get(ALLOW_MEMBERS);
    }

    /** The networks of clients, for pg_hba.conf (empty: loopback only). */
    public List<String> clientNetworks() {
        return get(ALLOW_CLIENTS) == null ? List.of() : get(ALLOW_CLIENTS);
    }

    private static List<ConfigProblem> check(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Key<String> required : List.of(CLUSTER, NAME, DCS, DIRECTORY, CREDENTIALS_DIR)) {
            if (c.get(required) == null || c.get(required).isBlank()) {
                problems.add(new ConfigProblem(required.path(), "must be set"));
            }
        }
        for (Key<String> name : List.of(CLUSTER, NAME)) {
            String v = c.get(name);
            if (v != null && !v.matches("[A-Za-z0-9_.-]+")) {
                problems.add(new ConfigProblem(name.path(), "must be letters, digits, _ . or - (got " + v + ")"));
            }
        }
        long loop = c.get(LOOP_WAIT).toMillis();
        long retry = c.get(RETRY_TIMEOUT).toMillis();
        long ttl = c.get(TTL).toMillis();
        if (loop + 2 * retry > ttl) {
            problems.add(new ConfigProblem("agent.ha", "loop_wait + 2 * retry_timeout must be <= ttl (got " + loop + " ms + 2 * "
                    + retry + " ms > " + ttl + " ms): a leader cut off from the DCS must step down before its key expires"));
        }
        String passwordFile = c.get(API_PASSWORD_FILE);
        if (passwordFile != null && !Files.isReadable(Path.of(passwordFile))) {
            problems.add(new ConfigProblem(API_PASSWORD_FILE.path(), "cannot read file " + passwordFile));
        }
        String readOnlyUser = c.get(API_READONLY_USER);
        String readOnlyFile = c.get(API_READONLY_PASSWORD_FILE);
        if (readOnlyUser != null && (readOnlyUser.isBlank() || readOnlyUser.indexOf(':') >= 0
                || readOnlyUser.equals(c.get(API_USER)))) {
            problems.add(new ConfigProblem(API_READONLY_USER.path(), "must be set, hold no ':' and differ from "
                    + API_USER.path() + " (got '" + readOnlyUser + "')"));
        }
        if (readOnlyUser != null && readOnlyFile == null) {
            problems.add(new ConfigProblem(API_READONLY_PASSWORD_FILE.path(), "must be set with " + API_READONLY_USER.path()));
        }
        if (readOnlyFile != null && readOnlyUser == null) {
            problems.add(new ConfigProblem(API_READONLY_USER.path(), "must be set with " + API_READONLY_PASSWORD_FILE.path()));
        }
        if (readOnlyFile != null && !Files.isReadable(Path.of(readOnlyFile))) {
            problems.add(new ConfigProblem(API_READONLY_PASSWORD_FILE.path(), "cannot read file " + readOnlyFile));
        }
        problems.addAll(MemberAddresses.check(c));
        return problems;
    }
}
