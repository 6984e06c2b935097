package io.pgherd.common.config;

import java.time.Duration;
import java.util.List;

/** A small key table shaped like a real one, for the configuration tests. */
final class TestKeys {
    enum Auth { SCRAM_SHA_256, MD5, TRUST }

    static final Key<HostPort> LISTEN = Key.address("proxy.listen", new HostPort("127.0.0.1", 6432), false,
            "client address");
    static final Key<HostPort> METRICS = Key.address("proxy.metrics.listen", null, false, "metrics address (unset: off)");
    static final Key<Auth> AUTH_TYPE = Key.choice("proxy.auth.type", Auth.class, Auth.SCRAM_SHA_256, true, "auth");
    static final Key<String> AUTH_FILE = Key.string("proxy.auth.file", null, true, "auth file");
    static final Key<List<String>> ADMINS = Key.strings("proxy.admin_users", List.of(), true, "admin users");
    static final Key<Integer> POOL_SIZE = Key.integer("proxy.pool.pool_size", 20, 1, 10_000, true, "per pool");
    static final Key<Integer> MAX_CLIENTS = Key.integer("proxy.pool.max_client_conn", 100, 1, Integer.MAX_VALUE, true,
            "clients");
    static final Key<Duration> CONNECT_TIMEOUT = Key.duration("proxy.pool.server_connect_timeout", Duration.ofSeconds(15),
            Duration.ofMillis(100), true, "connect");
    static final Key<Duration> IDLE_TIMEOUT = Key.duration("proxy.pool.idle_timeout", Duration.ZERO, Duration.ZERO, true,
            "idle (0: never)");
    static final Key<String> RESET_QUERY = Key.string("proxy.pool.reset_query", "DISCARD ALL", true, "reset");
    static final Key<Boolean> VERBOSE = Key.bool("proxy.verbose", false, true, "verbose");

    static final List<Key<?>> TABLE = List.of(LISTEN, METRICS, AUTH_TYPE, AUTH_FILE, ADMINS, POOL_SIZE, MAX_CLIENTS,
            CONNECT_TIMEOUT, IDLE_TIMEOUT, RESET_QUERY, VERBOSE);

    private TestKeys() {
    }

    static Config read(String yaml) {
        return Config.read(yaml, "test.yml", TABLE, c -> List.of());
    }

    /** A YAML document that sets only {@code path} (dotted) to the YAML text {@code value}. */
    static String document(String path, String value) {
        StringBuilder yaml = new StringBuilder();
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            yaml.append("  ".repeat(i)).append(parts[i]).append(':');
            yaml.append(i == parts.length - 1 ? " " + value : "").append('\n');
        }
        return yaml.toString();
    }
}
