package io.pgherd.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgherd.common.config.TestKeys.Auth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a YAML document against a key table: defaults, every problem with its path, reloads. */
class ConfigTest {

    static final String FULL = """
            proxy:
              listen: 0.0.0.0:7432
              metrics:
                listen: "[::1]:9187"
              auth:
                type: md5
                file: /etc/pgherd/users.txt
              admin_users: [alice, bob]
              pool:
                pool_size: 50
                max_client_conn: 5000
                server_connect_timeout: 2s
                idle_timeout: 10min
                reset_query: DISCARD ALL; SELECT 1
              verbose: true
            """;

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "  \n\t\n", "# nothing but a comment\n", "---\n", "~\n", "proxy:\n", "proxy: ~\n",
        "proxy:\n  pool:\n"})
    void documentWithoutValuesGivesEveryDefault(String yaml) {
        Config config = TestKeys.read(yaml);

        for (Key<?> key : TestKeys.TABLE) {
            assertThat((Object) config.get(key)).as(key.path()).isEqualTo(key.defaultValue());
        }
    }

    @Test
    void fullDocumentSetsEveryKey() {
        Config config = TestKeys.read(FULL);

        assertThat(config.get(TestKeys.LISTEN)).isEqualTo(new HostPort("0.0.0.0", 7432));
        assertThat(config.get(TestKeys.METRICS)).isEqualTo(new HostPort("::1", 9187));
        assertThat(config.get(TestKeys.AUTH_TYPE)).isEqualTo(Auth.MD5);
        assertThat(config.get(TestKeys.AUTH_FILE)).isEqualTo("/etc/pgherd/users.txt");
        assertThat(config.get(TestKeys.ADMINS)).containsExactly("alice", "bob");
        assertThat(config.get(TestKeys.POOL_SIZE)).isEqualTo(50);
        assertThat(config.get(TestKeys.MAX_CLIENTS)).isEqualTo(5000);
        assertThat(config.get(TestKeys.CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(TestKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.get(TestKeys.RESET_QUERY)).isEqualTo("DISCARD ALL; SELECT 1");
        assertThat(config.get(TestKeys.VERBOSE)).isTrue();
    }

    @Test
    void unwrittenKeysKeepTheirDefaultsBesideWrittenOnes() {
        Config config = TestKeys.read("proxy:\n  pool:\n    pool_size: 3\n");

        assertThat(config.get(TestKeys.POOL_SIZE)).isEqualTo(3);
        assertThat(config.get(TestKeys.MAX_CLIENTS)).isEqualTo(100);
        assertThat(config.get(TestKeys.METRICS)).isNull();
        assertThat(config.get(TestKeys.AUTH_FILE)).isNull();
    }

    @Test
    void everyProblemIsReportedTogetherInDocumentOrderOfTheTable() {
        String yaml = """
                proxy:
                  listen: nowhere
                  auth:
                    type: plain
                    kind: md5
                  pool:
                    pool_size: 0
                    server_connect_timeout: soon
                    pool_sise: 4
                  verbose: yes please
                  colour: blue
                """;

        assertThatThrownBy(() -> TestKeys.read(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        new ConfigProblem("proxy.listen", "must be host:port (got 'nowhere')"),
                        new ConfigProblem("proxy.auth.type", "must be one of scram-sha-256, md5, trust (got 'plain')"),
                        new ConfigProblem("proxy.auth.kind", "unknown key (did you mean proxy.auth.file?)"),
                        new ConfigProblem("proxy.pool.pool_size", "must be 1..10000 (got 0)"),
                        new ConfigProblem("proxy.pool.server_connect_timeout",
                                "must be a duration such as 500ms, 30s, 5min or 1h (got 'soon')"),
                        new ConfigProblem("proxy.pool.pool_sise", "unknown key (did you mean proxy.pool.pool_size?)"),
                        new ConfigProblem("proxy.verbose", "must be true or false (got 'yes please')"),
                        new ConfigProblem("proxy.colour", "unknown key")))
                .hasMessageStartingWith("invalid configuration in test.yml (8 problems):\n  ")
                .hasMessageContaining("\n  proxy.pool.pool_size: must be 1..10000 (got 0)");
    }

    @Test
    void oneProblemIsCountedInTheSingular() {
        assertThatThrownBy(() -> TestKeys.read("proxy:\n  verbose: 1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration in test.yml (1 problem):\n  proxy.verbose: must be true or false (got 1)");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "proxy.pool.poolsize         | unknown key (did you mean proxy.pool.pool_size?)",
        "proxy.pool.pool_szie        | unknown key (did you mean proxy.pool.pool_size?)",
        "proxy.pool.Pool_Size        | unknown key (did you mean proxy.pool.pool_size?)",
        "proxy.pool.idle_timout      | unknown key (did you mean proxy.pool.idle_timeout?)",
        "proxy.admin_user            | unknown key (did you mean proxy.admin_users?)",
        "proxy.verbos                | unknown key (did you mean proxy.verbose?)",
        "proxy.pool.max_connections  | unknown key",
        "proxy.pool.something_else   | unknown key",
        "etcd.endpoints              | unknown key",
    })
    void unknownKeySuggestsTheNearestKnownKeyOnlyWhenItIsClose(String path, String message) {
        String reported = path.startsWith("etcd") ? "etcd" : path;

        assertThatThrownBy(() -> TestKeys.read(TestKeys.document(path, "1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem(reported, message)));
    }

    @Test
    void unknownSubsectionIsReportedOnceByItsPath() {
        assertThatThrownBy(() -> TestKeys.read("proxy:\n  pool:\n    extra:\n      a: 1\n      b: 2\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem("proxy.pool.extra", "unknown key")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'proxy: 5'                  | proxy      | must be a mapping (got 5)",
        "'proxy: [a, b]'             | proxy      | must be a mapping (got a list)",
        "'proxy: text'               | proxy      | must be a mapping (got 'text')",
        "'proxy: {pool: 7}'          | proxy.pool | must be a mapping (got 7)",
        "'proxy: {auth: [md5]}'      | proxy.auth | must be a mapping (got a list)",
        "'proxy: {metrics: on}'      | proxy.metrics | must be a mapping (got true)",
    })
    void scalarOrListWhereASectionBelongsIsAProblem(String yaml, String path, String message) {
        assertThatThrownBy(() -> TestKeys.read(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem(path, message)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"- proxy\n- etcd\n", "just some text\n", "42\n", "[proxy]\n"})
    void documentThatIsNotAMappingIsRefusedAsAWhole(String yaml) {
        assertThatThrownBy(() -> TestKeys.read(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(new ConfigProblem("(file)", "must be a mapping of sections")));
    }

    @Test
    void invalidYamlIsReportedWithLineAndColumn() {
        String yaml = "proxy:\n  listen: a\n   bad: b\n";

        assertThatThrownBy(() -> TestKeys.read(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.path()).isEqualTo("line 3, column 7");
                            assertThat(p.message()).startsWith("is not valid YAML: mapping values are not allowed here");
                        }));
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"proxy:\n  pool:\n    pool_size: [\n", "proxy: {a: 1\n", "\t- x\n", "a: 'unclosed\n"})
    void anyYamlSyntaxErrorIsOneProblemAtALine(String yaml) {
        assertThatThrownBy(() -> TestKeys.read(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.path()).matches("line \\d+, column \\d+");
                            assertThat(p.message()).startsWith("is not valid YAML: ");
                        }));
    }

    @Test
    void crossKeyChecksSeeTheValuesAndTheirProblemsAreReported() {
        List<Integer> seen = new ArrayList<>();

        assertThatThrownBy(() -> Config.read("proxy: {pool: {pool_size: 5, max_client_conn: 2}}", "t.yml", TestKeys.TABLE,
                c -> {
                    seen.add(c.get(TestKeys.POOL_SIZE));
                    return List.of(new ConfigProblem("proxy.pool.max_client_conn", "must be >= pool_size (5) (got 2)"),
                            new ConfigProblem("proxy.pool", "second"));
                }))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        new ConfigProblem("proxy.pool.max_client_conn", "must be >= pool_size (5) (got 2)"),
                        new ConfigProblem("proxy.pool", "second")));
        assertThat(seen).containsExactly(5);
    }

    @Test
    void crossKeyChecksAreSkippedWhileAnyKeyIsInvalid() {
        AtomicInteger checks = new AtomicInteger();

        assertThatThrownBy(() -> Config.read("proxy: {pool: {pool_size: none}}", "t.yml", TestKeys.TABLE, c -> {
            checks.incrementAndGet();
            return List.of();
        })).isInstanceOf(ConfigException.class);
        assertThat(checks).hasValue(0);
    }

    @Test
    void gettingAKeyFromAnotherTableIsAnError() {
        Config config = TestKeys.read("");
        Key<Integer> foreign = Key.integer("other.key", 1, 0, 9, true, "not in the table");

        assertThatThrownBy(() -> config.get(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key other.key is not in this configuration's table");
    }

    @Test
    void renderedListsEveryKeyInTableOrderAsWritten() {
        Map<Key<?>, String> rendered = TestKeys.read(FULL).rendered();

        assertThat(rendered.keySet()).containsExactlyElementsOf(TestKeys.TABLE);
        assertThat(rendered.values()).containsExactly("0.0.0.0:7432", "[::1]:9187", "md5", "/etc/pgherd/users.txt",
                "alice,bob", "50", "5000", "2s", "10min", "DISCARD ALL; SELECT 1", "true");
    }

    @Test
    void renderedShowsUnsetKeysAsEmpty() {
        Map<Key<?>, String> rendered = TestKeys.read("").rendered();

        assertThat(rendered).containsEntry(TestKeys.METRICS, "").containsEntry(TestKeys.AUTH_FILE, "")
                .containsEntry(TestKeys.ADMINS, "").containsEntry(TestKeys.CONNECT_TIMEOUT, "15s")
                .containsEntry(TestKeys.IDLE_TIMEOUT, "0").containsEntry(TestKeys.AUTH_TYPE, "scram-sha-256");
    }

    @Test
    void changedInListsTheKeysWhoseValuesDifferInTableOrder() {
        Config before = TestKeys.read("proxy: {pool: {pool_size: 5, idle_timeout: 60s}, verbose: true}");
        Config after = TestKeys.read("proxy: {pool: {pool_size: 6, idle_timeout: 1min}, admin_users: [a], verbose: true}");

        assertThat(before.changedIn(after)).containsExactly(TestKeys.ADMINS, TestKeys.POOL_SIZE);
        assertThat(after.changedIn(before)).containsExactly(TestKeys.ADMINS, TestKeys.POOL_SIZE);
    }

    @Test
    void changedInIsEmptyWhenOnlyTheSpellingDiffers() {
        Config defaults = TestKeys.read("");
        Config explicit = TestKeys.read("proxy: {listen: '127.0.0.1:6432', auth: {type: SCRAM_SHA_256}, pool: "
                + "{pool_size: 20, server_connect_timeout: 15000ms}}");

        assertThat(defaults.changedIn(explicit)).isEmpty();
        assertThat(defaults.changedIn(defaults)).isEmpty();
    }

    @Test
    void loadReadsAFileAndNamesItInProblems(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yml"), "proxy:\n  pool:\n    pool_size: 9\n");
        Path bad = Files.writeString(dir.resolve("bad.yml"), "proxy:\n  pool:\n    pool_size: 0\n");

        assertThat(Config.load(good, TestKeys.TABLE, c -> List.of()).get(TestKeys.POOL_SIZE)).isEqualTo(9);
        assertThatThrownBy(() -> Config.load(bad, TestKeys.TABLE, c -> List.of()))
                .hasMessageStartingWith("invalid configuration in " + bad + " (1 problem):");
    }

    @Test
    void missingFileIsOneProblem(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yml");

        assertThatThrownBy(() -> Config.load(missing, TestKeys.TABLE, c -> List.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> {
                            assertThat(p.path()).isEqualTo("(file)");
                            assertThat(p.message()).startsWith("cannot be read: ").contains(missing.toString());
                        }));
    }

    @Test
    void problemPrintsAsPathColonMessage() {
        assertThat(new ConfigProblem("proxy.pool.pool_size", "must be >= 1 (got 0)"))
                .hasToString("proxy.pool.pool_size: must be >= 1 (got 0)");
    }

    @Test
    void exceptionKeepsACopyOfTheProblems() {
        List<ConfigProblem> problems = new ArrayList<>(List.of(new ConfigProblem("a", "b")));
        ConfigException e = new ConfigException("src", problems);
        problems.clear();

        assertThat(e.problems()).containsExactly(new ConfigProblem("a", "b"));
        assertThatThrownBy(() -> e.problems().add(new ConfigProblem("c", "d")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
