package io.pgherd.common.config;

import static io.pgherd.common.config.TestKeys.document;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgherd.common.config.TestKeys.Auth;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind of key: which YAML values it takes, and how it says what is wrong with the others. */
class KeyTest {

    record Accepted(Key<?> key, String yaml, Object value) {
        @Override
        public String toString() {
            return key.path() + ": " + yaml;
        }
    }

    record Refused(Key<?> key, String yaml, String path, String message) {
        @Override
        public String toString() {
            return key.path() + ": " + yaml;
        }
    }

    static Stream<Accepted> accepted() {
        return Stream.of(
                new Accepted(TestKeys.POOL_SIZE, "1", 1),
                new Accepted(TestKeys.POOL_SIZE, "10000", 10_000),
                new Accepted(TestKeys.POOL_SIZE, "0x10", 16),
                new Accepted(TestKeys.MAX_CLIENTS, "2147483647", Integer.MAX_VALUE),
                new Accepted(TestKeys.CONNECT_TIMEOUT, "100ms", Duration.ofMillis(100)),
                new Accepted(TestKeys.CONNECT_TIMEOUT, "30", Duration.ofSeconds(30)),
                new Accepted(TestKeys.CONNECT_TIMEOUT, "1.5", Duration.ofMillis(1500)),
                new Accepted(TestKeys.CONNECT_TIMEOUT, "2min", Duration.ofMinutes(2)),
                new Accepted(TestKeys.CONNECT_TIMEOUT, "'1h'", Duration.ofHours(1)),
                new Accepted(TestKeys.IDLE_TIMEOUT, "0", Duration.ZERO),
                new Accepted(TestKeys.AUTH_TYPE, "scram-sha-256", Auth.SCRAM_SHA_256),
                new Accepted(TestKeys.AUTH_TYPE, "SCRAM_SHA_256", Auth.SCRAM_SHA_256),
                new Accepted(TestKeys.AUTH_TYPE, "Md5", Auth.MD5),
                new Accepted(TestKeys.AUTH_TYPE, "\"TRUST\"", Auth.TRUST),
                new Accepted(TestKeys.AUTH_FILE, "/etc/pgherd/users.txt", "/etc/pgherd/users.txt"),
                new Accepted(TestKeys.AUTH_FILE, "123", "123"),
                new Accepted(TestKeys.AUTH_FILE, "''", ""),
                new Accepted(TestKeys.ADMINS, "alice", List.of("alice")),
                new Accepted(TestKeys.ADMINS, "[alice, bob]", List.of("alice", "bob")),
                new Accepted(TestKeys.ADMINS, "[]", List.of()),
                new Accepted(TestKeys.VERBOSE, "true", true),
                new Accepted(TestKeys.VERBOSE, "false", false),
                new Accepted(TestKeys.LISTEN, "0.0.0.0:6432", new HostPort("0.0.0.0", 6432)),
                new Accepted(TestKeys.LISTEN, "'[::1]:6432'", new HostPort("::1", 6432)),
                new Accepted(TestKeys.METRICS, "localhost:9187", new HostPort("localhost", 9187)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptedValueIsRead(Accepted c) {
        assertThat(TestKeys.read(document(c.key().path(), c.yaml())).get(c.key())).isEqualTo(c.value());
    }

    static Stream<Refused> refused() {
        String pool = "proxy.pool.pool_size";
        String timeout = "proxy.pool.server_connect_timeout";
        String durationForm = "must be a duration such as 500ms, 30s, 5min or 1h";
        return Stream.of(
                new Refused(TestKeys.POOL_SIZE, "0", pool, "must be 1..10000 (got 0)"),
                new Refused(TestKeys.POOL_SIZE, "10001", pool, "must be 1..10000 (got 10001)"),
                new Refused(TestKeys.POOL_SIZE, "-5", pool, "must be 1..10000 (got -5)"),
                new Refused(TestKeys.POOL_SIZE, "99999999999", pool, "must be 1..10000 (got 99999999999)"),
                new Refused(TestKeys.POOL_SIZE, "'5'", pool, "must be a whole number (got '5')"),
                new Refused(TestKeys.POOL_SIZE, "5.5", pool, "must be a whole number (got 5.5)"),
                new Refused(TestKeys.POOL_SIZE, "5.0", pool, "must be a whole number (got 5.0)"),
                new Refused(TestKeys.POOL_SIZE, "true", pool, "must be a whole number (got true)"),
                new Refused(TestKeys.POOL_SIZE, "[1]", pool, "must be a whole number (got a list)"),
                new Refused(TestKeys.POOL_SIZE, "{a: 1}", pool, "must be a whole number (got a mapping)"),
                new Refused(TestKeys.MAX_CLIENTS, "0", "proxy.pool.max_client_conn", "must be >= 1 (got 0)"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "50ms", timeout, "must be at least 100ms (got 50ms)"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "0", timeout, "must be at least 100ms (got 0)"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "0.05", timeout, "must be at least 100ms (got 0.05)"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "fast", timeout, durationForm + " (got 'fast')"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "-1", timeout, durationForm + " (got '-1')"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "10d", timeout, durationForm + " (got '10d')"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "[1s]", timeout, durationForm + " (got a list)"),
                new Refused(TestKeys.CONNECT_TIMEOUT, "{s: 1}", timeout, durationForm + " (got a mapping)"),
                new Refused(TestKeys.AUTH_TYPE, "plain", "proxy.auth.type",
                        "must be one of scram-sha-256, md5, trust (got 'plain')"),
                new Refused(TestKeys.AUTH_TYPE, "5", "proxy.auth.type", "must be one of scram-sha-256, md5, trust (got 5)"),
                new Refused(TestKeys.AUTH_TYPE, "[md5]", "proxy.auth.type",
                        "must be one of scram-sha-256, md5, trust (got a list)"),
                new Refused(TestKeys.AUTH_FILE, "true", "proxy.auth.file", "must be a string (got true)"),
                new Refused(TestKeys.AUTH_FILE, "[a]", "proxy.auth.file", "must be a string (got a list)"),
                new Refused(TestKeys.ADMINS, "[alice, 5]", "proxy.admin_users[1]", "must be a string (got 5)"),
                new Refused(TestKeys.ADMINS, "[[alice]]", "proxy.admin_users[0]", "must be a string (got a list)"),
                new Refused(TestKeys.ADMINS, "5", "proxy.admin_users", "must be a list of strings (got 5)"),
                new Refused(TestKeys.ADMINS, "{a: b}", "proxy.admin_users", "must be a list of strings (got a mapping)"),
                new Refused(TestKeys.VERBOSE, "'true'", "proxy.verbose", "must be true or false (got 'true')"),
                new Refused(TestKeys.VERBOSE, "1", "proxy.verbose", "must be true or false (got 1)"),
                new Refused(TestKeys.LISTEN, "localhost", "proxy.listen", "must be host:port (got 'localhost')"),
                new Refused(TestKeys.LISTEN, "6432", "proxy.listen", "must be host:port (got '6432')"),
                new Refused(TestKeys.LISTEN, "h:70000", "proxy.listen", "port must be 0..65535 (got 70000)"),
                new Refused(TestKeys.METRICS, "h:metrics", "proxy.metrics.listen", "port must be a number (got 'metrics')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedValueIsTheOnlyProblemAndNamesItsPath(Refused c) {
        assertThatThrownBy(() -> TestKeys.read(document(c.key().path(), c.yaml())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem(c.path(), c.message())));
    }

    @Test
    void explicitNullMeansTheDefault() {
        Config config = TestKeys.read(document("proxy.pool.pool_size", "~") + "  listen: null\n");

        assertThat(config.get(TestKeys.POOL_SIZE)).isEqualTo(20);
        assertThat(config.get(TestKeys.LISTEN)).isEqualTo(new HostPort("127.0.0.1", 6432));
    }

    @Test
    void keyDescribesItself() {
        Key<Integer> key = Key.integer("a.b", 3, 1, 9, true, "things, per widget");

        assertThat(key.path()).isEqualTo("a.b");
        assertThat(key.defaultValue()).isEqualTo(3);
        assertThat(key.reloadable()).isTrue();
        assertThat(key.description()).isEqualTo("things, per widget");
        assertThat(key).hasToString("a.b");
        assertThat(Key.bool("a.c", true, false, "d").reloadable()).isFalse();
    }

    @Test
    void enumLabelIsLowerCaseWithDashes() {
        assertThat(Key.label(Auth.SCRAM_SHA_256)).isEqualTo("scram-sha-256");
        assertThat(Key.label(Auth.MD5)).isEqualTo("md5");
    }

    @Test
    void renderWritesValuesAsConfigurationWouldHoldThem() {
        assertThat(TestKeys.CONNECT_TIMEOUT.render(Duration.ofMinutes(5))).isEqualTo("5min");
        assertThat(TestKeys.AUTH_TYPE.render(Auth.SCRAM_SHA_256)).isEqualTo("scram-sha-256");
        assertThat(TestKeys.ADMINS.render(List.of("a", "b"))).isEqualTo("a,b");
        assertThat(TestKeys.LISTEN.render(new HostPort("::1", 1))).isEqualTo("[::1]:1");
        assertThat(TestKeys.METRICS.render(null)).isEmpty();
        assertThat(TestKeys.AUTH_FILE.render(null)).isEmpty();
        assertThat(TestKeys.VERBOSE.render(true)).isEqualTo("true");
        assertThat(TestKeys.POOL_SIZE.render(7)).isEqualTo("7");
    }
}
