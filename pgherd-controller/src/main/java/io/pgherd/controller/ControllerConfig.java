package io.pgherd.controller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgherd.common.config.Config;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;
import io.pgherd.controller.replicas.Provisioner;
import io.pgherd.controller.replicas.ReplicaContext;
import io.pgherd.controller.replicas.ReplicaRules;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.DcsAddress;

/**
 * One controller's configuration: the {@code controller} section of its YAML file, a table of {@link Key}s
 * validated as a whole (every problem listed with its path). Nothing reloads: a controller is restarted to
 * change it, and the other one takes over meanwhile. Immutable.
 */
public final class ControllerConfig {
    public static final Key<String> CLUSTER = Key.string("controller.cluster", null, false,
            "cluster name; its keys live under /pgherd/<cluster>/ in the DCS");
    public static final Key<String> NAME = Key.string("controller.name", null, false,
            "this controller's name, unique among the cluster's controllers");
    public static final Key<String> DCS = Key.string("controller.dcs", null, false,
            "the DCS: zookeeper://host:port[,host:port…] or etcd://host:port[,…]");
    public static final Key<Duration> TTL = Key.duration("controller.ttl", Duration.ofSeconds(10), Duration.ofSeconds(2), false,
            "the controller key's time to live: a standby controller takes over at most this long after the acting one died");
    public static final Key<Duration> LOOP_WAIT = Key.duration("controller.loop_wait", Duration.ofSeconds(1), Duration.ofMillis(100),
            false, "time between two cycles that changed nothing");
    public static final Key<Duration> DCS_TIMEOUT = Key.duration("controller.dcs_timeout", Duration.ofSeconds(3),
            Duration.ofMillis(100), false, "how long one DCS operation may wait for the store");

    /** {@link #PROVISIONER}: the read replicas are not kept. */
    public static final String NONE = "none";
    public static final Key<String> PROVISIONER = Key.string("controller.provisioner", NONE, false,
            "where new read replicas come from: none (spec.read_replicas is not kept), local (this machine, in the cluster"
                    + " directory controller.dir) or spare (agents started with role: spare)");
    public static final Key<String> DIR = Key.string("controller.dir", null, false,
            "the local cluster's directory (made by pgherd up): the local provisioner makes members in it, and its"
                    + " superuser.password is the default of controller.superuser_password_file; required with the local"
                    + " provisioner");
    public static final Key<String> SUPERUSER_PASSWORD_FILE = Key.string("controller.superuser_password_file", null, false,
            "file holding the PostgreSQL superuser's password, with which the controller reaches the leader (its"
                    + " pg_stat_replication and replication slots); default: superuser.password in controller.dir; required"
                    + " with the spare provisioner when controller.dir is unset (a controller on another host)");
    public static final Key<String> PORTS = Key.string("controller.ports", null, false,
            "FIRST-LAST: the ports the local provisioner's members take (PostgreSQL and REST API); required with it");
    public static final Key<String> NAME_PREFIX = Key.string("controller.name_prefix", "node", false,
            "the names of the local provisioner's members, followed by a number");
    public static final Key<Integer> MAX_LAG_BYTES = Key.integer("controller.max_lag_bytes", 16 * 1024 * 1024, 0,
            Integer.MAX_VALUE, false, "a new read replica streams within the lag limit once it replayed this close to the"
                    + " primary (the proxies' max_replica_lag_bytes)");
    public static final Key<Duration> STREAM_TIMEOUT = Key.duration("controller.stream_timeout", Duration.ofMinutes(30),
            Duration.ofSeconds(1), false, "how long a new read replica may take to stream within the lag limit before its"
                    + " add_replica task fails and is rolled back");
    public static final Key<Duration> DRAIN_TIMEOUT = Key.duration("controller.drain_timeout", Duration.ofMinutes(10),
            Duration.ofSeconds(1), false, "how long the reads running on a replica being removed may take to end before its"
                    + " remove_replica task fails and the replica serves again");
    public static final Key<Duration> RETRY_AFTER = Key.duration("controller.retry_after", Duration.ofMinutes(5),
            Duration.ZERO, false, "how long a spare whose add_replica task failed is not chosen again");

    public static final Key<HostPort> METRICS_LISTEN = Key.address("controller.metrics.listen", null, false,
            "address of the controller's Prometheus metrics endpoint /metrics (unset: off); a standby answers too");
    public static final Key<Integer> KEEP_TASKS = Key.integer("controller.keep_tasks", Controller.KEEP_TASKS, 0, 100_000, false,
            "how many finished tasks the acting controller keeps in the DCS; older succeeded, failed and cancelled ones are"
                    + " deleted (except those still telling which members it created)");

    public static final Key<HostPort> API_LISTEN = Key.address("controller.api.listen", null, false,
            "address of the cluster REST API /api/v1/ (unset: off), such as 127.0.0.1:8020; a standby answers too; an"
                    + " address other than loopback needs controller.api.tls_certificate");
    public static final Key<String> API_TLS_CERTIFICATE = Key.string("controller.api.tls_certificate", null, false,
            "PEM file of the API's certificate chain (unset: plain HTTP); with controller.api.tls_key");
    public static final Key<String> API_TLS_KEY = Key.string("controller.api.tls_key", null, false,
            "PEM file of the API certificate's private key (PKCS#8, BEGIN PRIVATE KEY); with controller.api.tls_certificate");

    public static final List<Key<?>> KEYS = List.of(CLUSTER, NAME, DCS, TTL, LOOP_WAIT, DCS_TIMEOUT, PROVISIONER, DIR,
            SUPERUSER_PASSWORD_FILE, PORTS, NAME_PREFIX, MAX_LAG_BYTES, STREAM_TIMEOUT, DRAIN_TIMEOUT, RETRY_AFTER,
            METRICS_LISTEN, KEEP_TASKS, API_LISTEN, API_TLS_CERTIFICATE, API_TLS_KEY);
    /** The superuser's password file that {@code pgherd up} keeps in the cluster directory. */
    private static final String SUPERUSER_PASSWORD = "superuser.password";
    private static final Pattern RANGE = Pattern.compile("(\\d{1,5})-(\\d{1,5})");

    private final Config config;

    private ControllerConfig(Config config) {
        this.config = config;
    }

    /** @throws io.pgherd.common.config.ConfigException listing every problem */
    public static ControllerConfig load(Path file) {
        return new ControllerConfig(Config.load(file, KEYS, ControllerConfig::check));
    }

    /** @throws io.pgherd.common.config.ConfigException listing every problem */
    public static ControllerConfig read(String yaml, String source) {
        return new ControllerConfig(Config.read(yaml, source, KEYS, ControllerConfig::check));
    }

    public <T> T get(Key<T> key) {
        return config.get(key);
    }

    public String name() {
        return get(NAME);
    }

    public DcsAddress dcs() {
        return DcsAddress.parse(get(DCS));
    }

    /** Whether the controller keeps {@code spec.read_replicas} (a provisioner is configured). */
    public boolean keepsReplicas() {
        return !NONE.equals(get(PROVISIONER));
    }

    /** The read replica rules' settings. */
    public ReplicaRules.Policy replicaPolicy() {
        return new ReplicaRules.Policy(get(PROVISIONER), get(MAX_LAG_BYTES), get(RETRY_AFTER).toMillis(), get(NAME_PREFIX));
    }

    /** How long the replica tasks' waiting steps wait, and the lag limit. */
    public ReplicaContext.Limits replicaLimits() {
        return new ReplicaContext.Limits(get(MAX_LAG_BYTES), get(STREAM_TIMEOUT).toMillis(), get(DRAIN_TIMEOUT).toMillis());
    }

    /** {@link #PORTS} as its first and last port. */
    public int[] ports() {
        Matcher m = RANGE.matcher(get(PORTS));
        if (!m.matches()) {
            throw new IllegalStateException("controller.ports is not FIRST-LAST");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /**
     * The superuser's password file: {@link #SUPERUSER_PASSWORD_FILE}, else {@code superuser.password} in {@link #DIR};
     * empty when neither is set (no provisioner).
     */
    public Optional<Path> superuserPasswordFile() {
        if (!blank(get(SUPERUSER_PASSWORD_FILE))) {
            return Optional.of(Path.of(get(SUPERUSER_PASSWORD_FILE)));
        }
        return blank(get(DIR)) ? Optional.empty() : Optional.of(Path.of(get(DIR)).resolve(SUPERUSER_PASSWORD));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * The API's TLS files come as a pair of readable files, and the API listens beyond loopback only with TLS: a bearer
     * token in clear text on the network is as good as given away.
     */
    private static List<ConfigProblem> checkApi(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        boolean certificate = !blank(c.get(API_TLS_CERTIFICATE));
        boolean key = !blank(c.get(API_TLS_KEY));
        if (certificate != key) {
            Key<String> missing = certificate ? API_TLS_KEY : API_TLS_CERTIFICATE;
            problems.add(new ConfigProblem(missing.path(), "must be set with " + (certificate ? API_TLS_CERTIFICATE
                    : API_TLS_KEY).path()));
        }
        for (Key<String> file : List.of(API_TLS_CERTIFICATE, API_TLS_KEY)) {
            if (!blank(c.get(file)) && !Files.isReadable(Path.of(c.get(file)))) {
                problems.add(new ConfigProblem(file.path(), "cannot read " + c.get(file)));
            }
        }
        HostPort listen = c.get(API_LISTEN);
        if (listen != null && !listen.isLoopback() && !(certificate && key)) {
            problems.add(new ConfigProblem(API_LISTEN.path(), "listens beyond loopback (" + listen + ") only with TLS:"
                    + " set controller.api.tls_certificate and controller.api.tls_key"));
        }
        return problems;
    }

    private static List<ConfigProblem> check(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Key<String> required : List.of(CLUSTER, NAME, DCS)) {
            if (c.get(required) == null || c.get(required).isBlank()) {
                problems.add(new ConfigProblem(required.path(), "must be set"));
            }
        }
        String cluster = c.get(CLUSTER);
        if (cluster != null && !cluster.isBlank()) {
            try {
                new ClusterKeys(cluster);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(CLUSTER.path(), e.getMessage()));
            }
        }
        String name = c.get(NAME);
        if (name != null && !name.isBlank() && !name.matches("[A-Za-z0-9_.-]{1,63}")) {
            problems.add(new ConfigProblem(NAME.path(), "must be 1 to 63 letters, digits, _ . or - (got " + name + ")"));
        }
        String dcs = c.get(DCS);
        if (dcs != null && !dcs.isBlank()) {
            try {
                DcsAddress.parse(dcs);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(DCS.path(), e.getMessage()));
            }
        }
        String provisioner = c.get(PROVISIONER);
        if (!List.of(NONE, Provisioner.LOCAL, Provisioner.SPARE).contains(provisioner)) {
            problems.add(new ConfigProblem(PROVISIONER.path(), "must be none, local or spare (got " + provisioner + ")"));
        } else if (Provisioner.LOCAL.equals(provisioner) && blank(c.get(DIR))) {
            problems.add(new ConfigProblem(DIR.path(), "must be set with the local provisioner"));
        } else if (Provisioner.SPARE.equals(provisioner) && blank(c.get(DIR)) && blank(c.get(SUPERUSER_PASSWORD_FILE))) {
            problems.add(new ConfigProblem(SUPERUSER_PASSWORD_FILE.path(), "must be set with the spare provisioner when"
                    + " controller.dir is not (the controller reaches the leader as the superuser)"));
        }
        String ports = c.get(PORTS);
        if (Provisioner.LOCAL.equals(provisioner) && (ports == null || ports.isBlank())) {
            problems.add(new ConfigProblem(PORTS.path(), "must be set with the local provisioner"));
        } else if (ports != null && !ports.isBlank()) {
            Matcher m = RANGE.matcher(ports);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1024 || Integer.parseInt(m.group(2)) > 65535
                    || Integer.parseInt(m.group(1)) >= Integer.parseInt(m.group(2))) {
                problems.add(new ConfigProblem(PORTS.path(), "must be FIRST-LAST, 1024 <= FIRST < LAST <= 65535 (got " + ports
                        + ")"));
            }
        }
        String prefix = c.get(NAME_PREFIX);
        if (prefix == null || !prefix.matches("[A-Za-z][A-Za-z0-9_-]{0,40}")) {
            problems.add(new ConfigProblem(NAME_PREFIX.path(), "must be a letter followed by up to 40 letters, digits, _ or -"
                    + " (got " + prefix + ")"));
        }
        problems.addAll(checkApi(c));
        long loop = c.get(LOOP_WAIT).toMillis();
        long timeout = c.get(DCS_TIMEOUT).toMillis();
        long ttl = c.get(TTL).toMillis();
        if (loop + 2 * timeout > ttl) {
            problems.add(new ConfigProblem("controller", "loop_wait + 2 * dcs_timeout must be <= ttl (got " + loop + " ms + 2 * "
                    + timeout + " ms > " + ttl + " ms): a controller must see it was cut off before its key expires"));
        }
        return problems;
    }
}
