package io.pgherd.controller;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pgherd.common.config.Config;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.Key;
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

    public static final List<Key<?>> KEYS = List.of(CLUSTER, NAME, DCS, TTL, LOOP_WAIT, DCS_TIMEOUT);

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
