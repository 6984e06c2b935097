package io.pgherd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;
import io.pgherd.proxy.ProxyConfig.AuthType;
import io.pgherd.proxy.ProxyConfig.Node;
import io.pgherd.proxy.ProxyConfig.PoolMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy section of pgherd.yml: every key, its defaults, and the checks across keys. */
class ProxyConfigTest {

    private static final String TRUST_WITH_PRIMARY = "proxy:\n  auth:\n    type: trust\n  nodes:\n"
            + "    - {name: pg1, host: 10.0.0.1, port: 5432}\n";

    @TempDir
    Path dir;
    private Path users;
    private Path password;
    private Path cert;
    private Path key;

    @BeforeEach
    void writeFiles() throws Exception {
        users = Files.writeString(dir.resolve("users.txt"), "\"alice\" \"md5...\"\n");
        password = Files.writeString(dir.resolve("auth_password"), "secret\n");
        cert = Files.writeString(dir.resolve("proxy.crt"), "-----BEGIN CERTIFICATE-----\n");
        key = Files.writeString(dir.resolve("proxy.key"), "-----BEGIN PRIVATE KEY-----\n");
    }

    private static List<ConfigProblem> problemsOf(String yaml) {
        try {
            ProxyConfig.read(yaml, "pgherd.yml");
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("configuration was accepted:\n" + yaml);
    }

    @Test
    void fullFileSetsEveryKey() {
        String yaml = """
                proxy:
                  listen: 0.0.0.0:7432
                  nodes:
                    - {name: pg1, host: db1.example.com, port: 5432}
                    - name: pg2
                      host: 10.0.0.2
                      port: 5433
                  auth:
                    type: md5
                    file: %s
                    query: SELECT usename, passwd FROM my_shadow WHERE usename = $1
                    user: pgherd_auth
                    password_file: %s
                  admin_users: [admin, ops]
                  tls:
                    cert_file: %s
                    key_file: %s
                  pool:
                    mode: session
                    max_client_conn: 500
                    pool_size: 10
                    min_pool_size: 2
                    query_wait_timeout: 30s
                    server_idle_timeout: 5min
                    server_lifetime: 1h
                    server_connect_timeout: 500ms
                    client_idle_timeout: 15min
                    max_prepared_statements: 0
                    server_reset_query: RESET ALL
                  max_message_bytes: 1048576
                  metrics:
                    listen: "[::1]:9187"
                """.formatted(users, password, cert, key);

        ProxyConfig config = ProxyConfig.read(yaml, "pgherd.yml");

        assertThat(config.get(ProxyConfig.LISTEN)).isEqualTo(new HostPort("0.0.0.0", 7432));
        assertThat(config.get(ProxyConfig.NODES)).containsExactly(new Node("pg1", "db1.example.com", 5432),
                new Node("pg2", "10.0.0.2", 5433));
        assertThat(config.primary()).isEqualTo(new Node("pg1", "db1.example.com", 5432));
        assertThat(config.get(ProxyConfig.AUTH_TYPE)).isEqualTo(AuthType.MD5);
        assertThat(config.get(ProxyConfig.AUTH_FILE)).isEqualTo(users.toString());
        assertThat(config.get(ProxyConfig.AUTH_QUERY)).isEqualTo("SELECT usename, passwd FROM my_shadow WHERE usename = $1");
        assertThat(config.get(ProxyConfig.AUTH_USER)).isEqualTo("pgherd_auth");
        assertThat(config.get(ProxyConfig.AUTH_PASSWORD_FILE)).isEqualTo(password.toString());
        assertThat(config.get(ProxyConfig.ADMIN_USERS)).containsExactly("admin", "ops");
        assertThat(config.get(ProxyConfig.TLS_CERT_FILE)).isEqualTo(cert.toString());
        assertThat(config.get(ProxyConfig.TLS_KEY_FILE)).isEqualTo(key.toString());
        assertThat(config.get(ProxyConfig.POOL_MODE)).isEqualTo(PoolMode.SESSION);
        assertThat(config.get(ProxyConfig.MAX_CLIENT_CONN)).isEqualTo(500);
        assertThat(config.get(ProxyConfig.POOL_SIZE)).isEqualTo(10);
        assertThat(config.get(ProxyConfig.MIN_POOL_SIZE)).isEqualTo(2);
        assertThat(config.get(ProxyConfig.QUERY_WAIT_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(ProxyConfig.SERVER_IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(ProxyConfig.SERVER_LIFETIME)).isEqualTo(Duration.ofHours(1));
        assertThat(config.get(ProxyConfig.SERVER_CONNECT_TIMEOUT)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.get(ProxyConfig.CLIENT_IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.get(ProxyConfig.MAX_PREPARED_STATEMENTS)).isZero();
        assertThat(config.get(ProxyConfig.SERVER_RESET_QUERY)).isEqualTo("RESET ALL");
        assertThat(config.get(ProxyConfig.MAX_MESSAGE_BYTES)).isEqualTo(1_048_576);
        assertThat(config.get(ProxyConfig.METRICS_LISTEN)).isEqualTo(new HostPort("::1", 9187));
        assertThat(config.source()).isEqualTo("pgherd.yml");
        assertThat(config.values().rendered()).containsEntry(ProxyConfig.NODES,
                "pg1@db1.example.com:5432,pg2@10.0.0.2:5433");
    }

    @Test
    void everyUnwrittenKeyHasItsDefault() {
        ProxyConfig config = ProxyConfig.read(TRUST_WITH_PRIMARY, "pgherd.yml");

        assertThat(config.get(ProxyConfig.LISTEN)).isEqualTo(new HostPort("127.0.0.1", 6432));
        assertThat(config.get(ProxyConfig.AUTH_FILE)).isNull();
        assertThat(config.get(ProxyConfig.AUTH_QUERY)).isEqualTo(
                "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1 AND rolcanlogin");
        assertThat(config.get(ProxyConfig.AUTH_USER)).isNull();
        assertThat(config.get(ProxyConfig.AUTH_PASSWORD_FILE)).isNull();
        assertThat(config.get(ProxyConfig.ADMIN_USERS)).isEmpty();
        assertThat(config.get(ProxyConfig.TLS_CERT_FILE)).isNull();
        assertThat(config.get(ProxyConfig.TLS_KEY_FILE)).isNull();
        assertThat(config.get(ProxyConfig.POOL_MODE)).isEqualTo(PoolMode.TRANSACTION);
        assertThat(config.get(ProxyConfig.MAX_CLIENT_CONN)).isEqualTo(10_000);
        assertThat(config.get(ProxyConfig.POOL_SIZE)).isEqualTo(20);
        assertThat(config.get(ProxyConfig.MIN_POOL_SIZE)).isZero();
        assertThat(config.get(ProxyConfig.QUERY_WAIT_TIMEOUT)).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.get(ProxyConfig.SERVER_IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.get(ProxyConfig.SERVER_LIFETIME)).isEqualTo(Duration.ofSeconds(3600));
        assertThat(config.get(ProxyConfig.SERVER_CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.get(ProxyConfig.CLIENT_IDLE_TIMEOUT)).isEqualTo(Duration.ZERO);
        assertThat(config.get(ProxyConfig.MAX_PREPARED_STATEMENTS)).isEqualTo(200);
        assertThat(config.get(ProxyConfig.SERVER_RESET_QUERY)).isEqualTo("DISCARD ALL");
        assertThat(config.get(ProxyConfig.MAX_MESSAGE_BYTES)).isEqualTo(256 << 20);
        assertThat(config.get(ProxyConfig.METRICS_LISTEN)).isNull();
    }

    @Test
    void everyKeyIsDescribedAndUnderTheProxySection() {
        for (Key<?> k : ProxyConfig.KEYS) {
            assertThat(k.description()).as(k.path()).isNotBlank();
            assertThat(k.path()).as(k.path()).startsWith("proxy.");
        }
        assertThat(ProxyConfig.KEYS).doesNotHaveDuplicates();
    }

    @Test
    void nodeWithoutHostIsOnLocalhost() {
        ProxyConfig config = ProxyConfig.read("proxy:\n  auth: {type: trust}\n  nodes:\n    - {name: local, port: 5432}\n",
                "pgherd.yml");

        assertThat(config.primary()).isEqualTo(new Node("local", "127.0.0.1", 5432));
        assertThat(config.primary()).hasToString("local@127.0.0.1:5432");
    }

    @Test
    void configurationWithoutNodesIsRefused() {
        assertThat(problemsOf("proxy:\n  auth:\n    type: trust\n"))
                .containsExactly(new ConfigProblem("proxy.nodes", "must list at least the primary"));
        assertThat(problemsOf("proxy:\n  auth:\n    type: trust\n  nodes: []\n"))
                .containsExactly(new ConfigProblem("proxy.nodes", "must list at least the primary"));
    }

    @Test
    void minPoolSizeAbovePoolSizeIsRefused() {
        assertThat(problemsOf(TRUST_WITH_PRIMARY + "  pool:\n    pool_size: 5\n    min_pool_size: 6\n"))
                .containsExactly(new ConfigProblem("proxy.pool.min_pool_size",
                        "must be <= proxy.pool.pool_size (5) (got 6)"));
    }

    @Test
    void minPoolSizeEqualToPoolSizeIsAccepted() {
        ProxyConfig config = ProxyConfig.read(TRUST_WITH_PRIMARY + "  pool:\n    pool_size: 5\n    min_pool_size: 5\n",
                "pgherd.yml");

        assertThat(config.get(ProxyConfig.MIN_POOL_SIZE)).isEqualTo(5);
    }

    @Test
    void tlsCertificateWithoutKeyIsRefused() {
        assertThat(problemsOf(TRUST_WITH_PRIMARY + "  tls:\n    cert_file: " + cert + "\n"))
                .containsExactly(new ConfigProblem("proxy.tls", "cert_file and key_file must be set together"));
        assertThat(problemsOf(TRUST_WITH_PRIMARY + "  tls:\n    key_file: " + key + "\n"))
                .containsExactly(new ConfigProblem("proxy.tls", "cert_file and key_file must be set together"));
    }

    @Test
    void filesThatCannotBeReadAreEachReported() {
        Path missing = dir.resolve("missing");
        String yaml = TRUST_WITH_PRIMARY + """
                  auth:
                    type: md5
                    file: %1$s/users
                    user: auth
                    password_file: %1$s/password
                  tls:
                    cert_file: %1$s/crt
                    key_file: %1$s/key
                """.formatted(missing);

        assertThat(problemsOf(yaml.replace("  auth:\n    type: trust\n", ""))).containsExactly(
                new ConfigProblem("proxy.auth.file", "cannot read file " + missing + "/users"),
                new ConfigProblem("proxy.auth.password_file", "cannot read file " + missing + "/password"),
                new ConfigProblem("proxy.tls.cert_file", "cannot read file " + missing + "/crt"),
                new ConfigProblem("proxy.tls.key_file", "cannot read file " + missing + "/key"));
    }

    @Test
    void passwordAuthenticationNeedsAFileOrAnAuthUser() {
        String nodes = "proxy:\n  nodes:\n    - {name: pg1, port: 5432}\n";
        ConfigProblem needsSource = new ConfigProblem("proxy.auth", "needs a file or a user for auth_query (or type: trust)");

        assertThat(problemsOf(nodes)).containsExactly(needsSource);
        assertThat(problemsOf(nodes + "  auth:\n    type: md5\n")).containsExactly(needsSource);
        assertThat(ProxyConfig.read(nodes + "  auth:\n    file: " + users + "\n", "t").get(ProxyConfig.AUTH_FILE))
                .isEqualTo(users.toString());
        assertThat(ProxyConfig.read(nodes + "  auth:\n    user: a\n    password_file: " + password + "\n", "t")
                .get(ProxyConfig.AUTH_USER)).isEqualTo("a");
    }

    @Test
    void authUserNeedsAPasswordFile() {
        assertThat(problemsOf(TRUST_WITH_PRIMARY.replace("type: trust", "type: scram-sha-256\n    user: pgherd_auth")))
                .containsExactly(new ConfigProblem("proxy.auth.password_file", "must be set when proxy.auth.user is"));
    }

    record NodesRow(String nodes, List<ConfigProblem> problems) {
        @Override
        public String toString() {
            return nodes.replace("\n", " ");
        }
    }

    private static NodesRow nodes(String yaml, ConfigProblem... problems) {
        return new NodesRow(yaml, List.of(problems));
    }

    private static ConfigProblem problem(String path, String message) {
        return new ConfigProblem(path, message);
    }

    static Stream<NodesRow> badNodes() {
        return Stream.of(
                nodes("{pg1: 5432}", problem("proxy.nodes", "must be a list of {name, host, port} (got a mapping)")),
                nodes("pg1:5432", problem("proxy.nodes", "must be a list of {name, host, port} (got 'pg1:5432')")),
                nodes("[pg1]", problem("proxy.nodes[0]", "must be a mapping with name, host and port")),
                nodes("[{name: pg1, port: 5432}, 7]", problem("proxy.nodes[1]", "must be a mapping with name, host and port")),
                nodes("[{name: pg1, port: 5432, hots: x}]", problem("proxy.nodes[0].hots", "unknown key")),
                nodes("[{name: pg 1, port: 5432}]",
                        problem("proxy.nodes[0].name", "must be letters, digits, _ . or - (got 'pg 1')")),
                nodes("[{name: '', port: 5432}]", problem("proxy.nodes[0].name", "must be letters, digits, _ . or - (got '')")),
                nodes("[{name: pg1, port: 5432}, {name: pg1, port: 5433}]",
                        problem("proxy.nodes[1].name", "is used twice (pg1)")),
                nodes("[{name: pg1, port: 0}]", problem("proxy.nodes[0].port", "must be 1..65535 (got 0)")),
                nodes("[{name: pg1, port: 65536}]", problem("proxy.nodes[0].port", "must be 1..65535 (got 65536)")),
                nodes("[{name: pg1, port: '5432'}]", problem("proxy.nodes[0].port", "must be 1..65535 (got '5432')")),
                nodes("[{name: pg1, port: 54.32}]", problem("proxy.nodes[0].port", "must be 1..65535 (got 54.32)")),
                nodes("[{name: a, port: 1}, {name: 'b c', port: 0, x: 1}, {name: a, port: 2}]",
                        problem("proxy.nodes[1].x", "unknown key"),
                        problem("proxy.nodes[1].name", "must be letters, digits, _ . or - (got 'b c')"),
                        problem("proxy.nodes[1].port", "must be 1..65535 (got 0)"),
                        problem("proxy.nodes[2].name", "is used twice (a)")));
    }

    @ParameterizedTest(name = "nodes: {0}")
    @MethodSource("badNodes")
    void badNodesAreReportedWithTheirIndex(NodesRow row) {
        assertThat(problemsOf("proxy:\n  auth: {type: trust}\n  nodes: " + row.nodes() + "\n"))
                .containsExactlyElementsOf(row.problems());
    }

    @Test
    void nodeWithoutNameOrPortIsReportedForBoth() {
        assertThat(problemsOf("proxy:\n  auth: {type: trust}\n  nodes:\n    - host: db\n"))
                .extracting(ConfigProblem::path)
                .containsExactly("proxy.nodes[0].name", "proxy.nodes[0].port");
    }

    @Test
    void everyProblemOfEveryKeyIsReportedTogether() {
        String yaml = """
                proxy:
                  listen: everywhere
                  nodes:
                    - {name: pg1, port: 99999}
                  auth:
                    type: password
                  admin_users: [admin, 7]
                  pool:
                    mode: statement
                    pool_size: 0
                    server_connect_timeout: 10ms
                    query_wait_timout: 5s
                  max_message_bytes: 10
                """;

        assertThatThrownBy(() -> ProxyConfig.read(yaml, "pgherd.yml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        problem("proxy.listen", "must be host:port (got 'everywhere')"),
                        problem("proxy.nodes[0].port", "must be 1..65535 (got 99999)"),
                        problem("proxy.auth.type", "must be one of scram-sha-256, md5, trust (got 'password')"),
                        problem("proxy.admin_users[1]", "must be a string (got 7)"),
                        problem("proxy.pool.mode", "must be one of transaction, session (got 'statement')"),
                        problem("proxy.pool.pool_size", "must be 1..10000 (got 0)"),
                        problem("proxy.pool.server_connect_timeout", "must be at least 100ms (got 10ms)"),
                        problem("proxy.pool.query_wait_timout", "unknown key (did you mean proxy.pool.query_wait_timeout?)"),
                        problem("proxy.max_message_bytes", "must be 1024..1073741824 (got 10)")))
                .hasMessageStartingWith("invalid configuration in pgherd.yml (9 problems):");
    }

    @Test
    void everyCrossKeyProblemIsReportedTogether() {
        String yaml = """
                proxy:
                  auth:
                    type: md5
                    user: pgherd_auth
                  tls:
                    cert_file: %s
                  pool:
                    pool_size: 2
                    min_pool_size: 3
                """.formatted(dir.resolve("nope.crt"));

        assertThat(problemsOf(yaml)).containsExactly(
                problem("proxy.nodes", "must list at least the primary"),
                problem("proxy.pool.min_pool_size", "must be <= proxy.pool.pool_size (2) (got 3)"),
                problem("proxy.tls", "cert_file and key_file must be set together"),
                problem("proxy.tls.cert_file", "cannot read file " + dir.resolve("nope.crt")),
                problem("proxy.auth.password_file", "must be set when proxy.auth.user is"));
    }

    @Test
    void loadNamesTheFileInItsProblems() throws Exception {
        Path file = Files.writeString(dir.resolve("pgherd.yml"), "proxy:\n  auth:\n    type: trust\n");

        assertThatThrownBy(() -> ProxyConfig.load(file))
                .hasMessageStartingWith("invalid configuration in " + file + " (1 problem):");
        Files.writeString(file, TRUST_WITH_PRIMARY);
        assertThat(ProxyConfig.load(file).source()).isEqualTo(file.toString());
    }

    @org.junit.jupiter.api.Test
    void hugeNumbersAndBadHostsAreRefusedNotWrappedIntoRange() {
        String yaml = "proxy:\n  auth: {type: trust}\n  pool: {pool_size: 18446744073709551621}\n"
                + "  nodes:\n    - {name: pg1, port: 4294972728}\n    - {name: pg2, host: [a], port: 5432}\n";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyConfig.read(yaml, "test"))
                .hasMessageContaining("proxy.pool.pool_size: must be 1..10000 (got 18446744073709551621)")
                .hasMessageContaining("proxy.nodes[0].port: must be 1..65535")
                .hasMessageContaining("proxy.nodes[1].host: must be a host name or address");
    }
}
