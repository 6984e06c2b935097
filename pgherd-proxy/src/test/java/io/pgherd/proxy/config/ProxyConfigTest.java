package io.pgherd.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;
import io.pgherd.proxy.config.ProxyConfig.AuthType;
import io.pgherd.proxy.config.ProxyConfig.Consistency;
import io.pgherd.proxy.config.ProxyConfig.Node;
import io.pgherd.proxy.config.ProxyConfig.PoolMode;
import io.pgherd.proxy.config.ProxyConfig.PrimaryReads;
import io.pgherd.proxy.config.ProxyConfig.Role;
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
                    - {name: pg3, host: 10.0.0.3, port: 5432, role: standby, weight: 0}
                    - {name: pg4, host: 10.0.0.4, port: 5432, role: replica, weight: 1000}
                  auth:
                    type: md5
                    file: %1$s
                    query: SELECT usename, passwd FROM my_shadow WHERE usename = $1
                    user: pgherd_auth
                    password_file: %2$s
                  admin_users: [admin, ops]
                  tls:
                    cert_file: %3$s
                    key_file: %4$s
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
                    client_login_timeout: 5s
                    max_prepared_statements: 0
                    server_reset_query: RESET ALL
                  routing:
                    read_write_split: false
                    standby_reads: false
                    primary_reads: always
                    max_replica_lag_bytes: 1024
                    max_replica_lag: 1500ms
                    primary_listen: 127.0.0.1:6433
                    replica_listen: 127.0.0.1:6434
                    catalog_refresh: 5min
                  consistency:
                    mode: strong
                    max_wait: 200ms
                  health:
                    interval: 1s
                    timeout: 3s
                    user: pgherd_health
                    password_file: %2$s
                  max_message_bytes: 1048576
                  metrics:
                    listen: "[::1]:9187"
                """.formatted(users, password, cert, key);

        ProxyConfig config = ProxyConfig.read(yaml, "pgherd.yml");

        assertThat(config.get(ProxyConfig.LISTEN)).isEqualTo(new HostPort("0.0.0.0", 7432));
        assertThat(config.get(ProxyConfig.NODES)).containsExactly(new Node("pg1", "db1.example.com", 5432),
                new Node("pg2", "10.0.0.2", 5433, Role.REPLICA, 1), new Node("pg3", "10.0.0.3", 5432, Role.STANDBY, 0),
                new Node("pg4", "10.0.0.4", 5432, Role.REPLICA, 1000));
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
        assertThat(config.get(ProxyConfig.CLIENT_LOGIN_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.get(ProxyConfig.MAX_PREPARED_STATEMENTS)).isZero();
        assertThat(config.get(ProxyConfig.SERVER_RESET_QUERY)).isEqualTo("RESET ALL");
        assertThat(config.get(ProxyConfig.READ_WRITE_SPLIT)).isFalse();
        assertThat(config.get(ProxyConfig.STANDBY_READS)).isFalse();
        assertThat(config.get(ProxyConfig.PRIMARY_READS)).isEqualTo(PrimaryReads.ALWAYS);
        assertThat(config.get(ProxyConfig.MAX_REPLICA_LAG_BYTES)).isEqualTo(1024);
        assertThat(config.get(ProxyConfig.MAX_REPLICA_LAG)).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.get(ProxyConfig.PRIMARY_LISTEN)).isEqualTo(new HostPort("127.0.0.1", 6433));
        assertThat(config.get(ProxyConfig.REPLICA_LISTEN)).isEqualTo(new HostPort("127.0.0.1", 6434));
        assertThat(config.get(ProxyConfig.CATALOG_REFRESH)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(ProxyConfig.CONSISTENCY)).isEqualTo(Consistency.STRONG);
        assertThat(config.get(ProxyConfig.CONSISTENCY_MAX_WAIT)).isEqualTo(Duration.ofMillis(200));
        assertThat(config.get(ProxyConfig.HEALTH_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.get(ProxyConfig.HEALTH_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.get(ProxyConfig.HEALTH_USER)).isEqualTo("pgherd_health");
        assertThat(config.get(ProxyConfig.HEALTH_PASSWORD_FILE)).isEqualTo(password.toString());
        assertThat(config.healthUser()).isEqualTo("pgherd_health");
        assertThat(config.healthPasswordFile()).isEqualTo(password.toString());
        assertThat(config.get(ProxyConfig.MAX_MESSAGE_BYTES)).isEqualTo(1_048_576);
        assertThat(config.get(ProxyConfig.METRICS_LISTEN)).isEqualTo(new HostPort("::1", 9187));
        assertThat(config.source()).isEqualTo("pgherd.yml");
        assertThat(config.values().rendered()).containsEntry(ProxyConfig.NODES, "pg1@db1.example.com:5432/primary/1,"
                + "pg2@10.0.0.2:5433/replica/1,pg3@10.0.0.3:5432/standby/0,pg4@10.0.0.4:5432/replica/1000");
    }

    @Test
    void everyUnwrittenKeyHasItsDefault() {
        ProxyConfig config = ProxyConfig.read(TRUST_WITH_PRIMARY, "pgherd.yml");

        assertThat(config.get(ProxyConfig.LISTEN)).isEqualTo(new HostPort("127.0.0.1", 6432));
        assertThat(config.get(ProxyConfig.AUTH_FILE)).isNull();
        assertThat(config.get(ProxyConfig.AUTH_QUERY)).isEqualTo(
                "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1 AND rolcanlogin");
        assertThat(config.get(ProxyConfig.AUTH_USER)).isNull();
        assertThat(config.get(ProxyConfig.AUTH_DBNAME)).as("auth_query's database").isEqualTo("postgres");
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
        assertThat(config.get(ProxyConfig.CLIENT_LOGIN_TIMEOUT)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.get(ProxyConfig.MAX_PREPARED_STATEMENTS)).isEqualTo(200);
        assertThat(config.get(ProxyConfig.SERVER_RESET_QUERY)).isEqualTo("DISCARD ALL");
        assertThat(config.get(ProxyConfig.READ_WRITE_SPLIT)).isTrue();
        assertThat(config.get(ProxyConfig.STANDBY_READS)).isTrue();
        assertThat(config.get(ProxyConfig.PRIMARY_READS)).isEqualTo(PrimaryReads.FALLBACK);
        assertThat(config.get(ProxyConfig.MAX_REPLICA_LAG_BYTES)).isEqualTo(16 << 20);
        assertThat(config.get(ProxyConfig.MAX_REPLICA_LAG)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(ProxyConfig.PRIMARY_LISTEN)).isNull();
        assertThat(config.get(ProxyConfig.REPLICA_LISTEN)).isNull();
        assertThat(config.get(ProxyConfig.CATALOG_REFRESH)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.get(ProxyConfig.CONSISTENCY)).isEqualTo(Consistency.READ_YOUR_WRITES);
        assertThat(config.get(ProxyConfig.CONSISTENCY_MAX_WAIT)).isEqualTo(Duration.ofMillis(50));
        assertThat(config.get(ProxyConfig.HEALTH_INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.get(ProxyConfig.HEALTH_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(ProxyConfig.HEALTH_USER)).isNull();
        assertThat(config.get(ProxyConfig.HEALTH_PASSWORD_FILE)).isNull();
        assertThat(config.healthUser()).isNull();
        assertThat(config.healthPasswordFile()).isNull();
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
    void anEmptyAuthDbnameIsRefused() {
        assertThat(problemsOf("proxy:\n  auth:\n    type: trust\n    dbname: ''\n  nodes:\n    - {name: pg1, port: 5432}\n"))
                .containsExactly(new ConfigProblem("proxy.auth.dbname", "must name a database (got an empty string)"));
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

    /** Proxy lines with trust auth and a health user, so that several nodes are accepted. */
    private String withHealthUser(String nodes) {
        return "proxy:\n  auth: {type: trust}\n  health: {user: checker, password_file: " + password + "}\n  nodes: "
                + nodes + "\n";
    }

    @Test
    void theFirstNodeIsThePrimaryAndTheOthersReplicasOfWeightOneUnlessSaidOtherwise() {
        ProxyConfig config = ProxyConfig.read(withHealthUser("[{name: a, port: 1}, {name: b, port: 2}, {name: c, port: 3}]"),
                "t");

        assertThat(config.get(ProxyConfig.NODES)).containsExactly(new Node("a", "127.0.0.1", 1, Role.PRIMARY, 1),
                new Node("b", "127.0.0.1", 2, Role.REPLICA, 1), new Node("c", "127.0.0.1", 3, Role.REPLICA, 1));
        assertThat(config.primary().name()).isEqualTo("a");
    }

    @Test
    void rolesAndWeightsAreReadAsWritten() {
        ProxyConfig config = ProxyConfig.read(withHealthUser("[{name: r, port: 1, role: replica, weight: 3},"
                + " {name: s, port: 2, role: standby}, {name: p, port: 3, role: primary, weight: 0}]"), "t");

        assertThat(config.get(ProxyConfig.NODES)).containsExactly(new Node("r", "127.0.0.1", 1, Role.REPLICA, 3),
                new Node("s", "127.0.0.1", 2, Role.STANDBY, 1), new Node("p", "127.0.0.1", 3, Role.PRIMARY, 0));
        assertThat(config.primary().name()).as("the primary need not come first").isEqualTo("p");
        assertThat(config.primaryFirst()).extracting(Node::name).as("the primary, then the others in their order")
                .containsExactly("p", "r", "s");
    }

    static Stream<NodesRow> badRolesAndWeights() {
        return Stream.of(
                nodes("[{name: a, port: 1, role: master}]",
                        problem("proxy.nodes[0].role", "must be one of primary, standby, replica (got 'master')")),
                nodes("[{name: a, port: 1}, {name: b, port: 2, role: [replica]}]",
                        problem("proxy.nodes[1].role", "must be one of primary, standby, replica (got a list)")),
                nodes("[{name: a, port: 1, weight: -1}]", problem("proxy.nodes[0].weight", "must be 0..1000 (got -1)")),
                nodes("[{name: a, port: 1, weight: 1001}]", problem("proxy.nodes[0].weight", "must be 0..1000 (got 1001)")),
                nodes("[{name: a, port: 1, weight: 1.5}]", problem("proxy.nodes[0].weight", "must be 0..1000 (got 1.5)")),
                nodes("[{name: a, port: 1, weight: '2'}]", problem("proxy.nodes[0].weight", "must be 0..1000 (got '2')")),
                nodes("[{name: a, port: 1, weight: 4294967297}]",
                        problem("proxy.nodes[0].weight", "must be 0..1000 (got 4294967297)")),
                nodes("[{name: a, port: 1}, {name: b, port: 2, role: primary}]",
                        problem("proxy.nodes", "must have exactly one node of role primary (got 2)")),
                nodes("[{name: a, port: 1, role: replica}, {name: b, port: 2, role: standby}]",
                        problem("proxy.nodes", "must have exactly one node of role primary (got 0)")),
                nodes("[{name: a, port: 1, role: leader, weight: 5000}, {name: b, port: 2, role: primary, weight: x},"
                                + " {name: c, port: 3, role: primary}]",
                        problem("proxy.nodes[0].role", "must be one of primary, standby, replica (got 'leader')"),
                        problem("proxy.nodes[0].weight", "must be 0..1000 (got 5000)"),
                        problem("proxy.nodes[1].weight", "must be 0..1000 (got 'x')"),
                        problem("proxy.nodes", "must have exactly one node of role primary (got 3)")));
    }

    @ParameterizedTest(name = "nodes: {0}")
    @MethodSource("badRolesAndWeights")
    void badRolesAndWeightsAreAllReportedWithTheirIndex(NodesRow row) {
        assertThat(problemsOf(withHealthUser(row.nodes()))).containsExactlyElementsOf(row.problems());
    }

    @Test
    void moreThanOneNodeNeedsAHealthUser() {
        String nodes = "proxy:\n  auth: {type: trust}\n  nodes: [{name: a, port: 1}, {name: b, port: 2}]\n";

        assertThat(problemsOf(nodes)).containsExactly(problem("proxy.health.user", "must be set (or proxy.auth.user) when"
                + " proxy.nodes lists more than the primary: replicas are checked and WAL positions read as this role"));
        assertThat(ProxyConfig.read(nodes.replace("{type: trust}", "{type: trust, user: a, password_file: " + password + "}"),
                "t").healthUser()).as("the auth user stands in").isEqualTo("a");
        assertThat(ProxyConfig.read(nodes.replace("[{name: a, port: 1}, {name: b, port: 2}]", "[{name: a, port: 1}]"), "t")
                .healthUser()).as("a lone primary needs no checks").isNull();
    }

    @Test
    void everyProblemWithHealthChecksIsReportedTogether() {
        String yaml = """
                proxy:
                  auth: {type: trust}
                  nodes: [{name: a, port: 1}, {name: b, port: 2}]
                  health: {password_file: %s}
                  pool: {pool_size: 1, min_pool_size: 2}
                """.formatted(dir.resolve("missing"));

        assertThat(problemsOf(yaml)).containsExactly(
                problem("proxy.health.user", "must be set (or proxy.auth.user) when proxy.nodes lists more than the primary:"
                        + " replicas are checked and WAL positions read as this role"),
                problem("proxy.pool.min_pool_size", "must be <= proxy.pool.pool_size (1) (got 2)"),
                problem("proxy.health.password_file", "cannot read file " + dir.resolve("missing")));
        assertThat(problemsOf(TRUST_WITH_PRIMARY + "  health: {user: checker}\n")).containsExactly(
                problem("proxy.health.password_file", "must be set when proxy.health.user is"));
    }

    @Test
    void badRoutingConsistencyAndHealthValuesAreReportedTogether() {
        String yaml = TRUST_WITH_PRIMARY + """
                  routing:
                    read_write_split: maybe
                    primary_reads: sometimes
                    max_replica_lag_bytes: -1
                    catalog_refresh: 10ms
                  consistency:
                    mode: causal
                  health:
                    interval: 1ms
                """;

        assertThat(problemsOf(yaml)).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "proxy.routing.read_write_split", "proxy.routing.primary_reads", "proxy.routing.max_replica_lag_bytes",
                "proxy.routing.catalog_refresh", "proxy.consistency.mode", "proxy.health.interval");
        assertThat(problemsOf(yaml)).contains(
                problem("proxy.routing.primary_reads", "must be one of never, fallback, always (got 'sometimes')"),
                problem("proxy.consistency.mode", "must be one of eventual, read-your-writes, strong (got 'causal')"));
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
