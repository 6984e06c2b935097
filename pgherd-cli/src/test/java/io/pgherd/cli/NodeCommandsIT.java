package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.agent.api.ApiServer;
import io.pgherd.agent.api.NodeState;
import io.pgherd.agent.api.Operations.Outcome;
import io.pgherd.agent.api.Operations;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.common.config.HostPort;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code config show|set|edit}, {@code restart} and {@code reinit} run in-process through
 * {@link Main}'s command line against a real DCS (an embedded ZooKeeper server) and real REST API
 * servers, one per member, whose agents are played by the test: each records what it was asked and
 * answers what the test says (the agents' side is the agent module's {@code DynamicConfigIT}). Each
 * test has a cluster of its own: n1 leads, n2 is a standby with a pending restart, n3 a read replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeCommandsIT {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final String PASSWORD = "correct horse battery staple";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger clusters = new AtomicInteger();
    /** Rows of PostgreSQL 15's pg_settings (the agents publish all of them; ParameterChecksIT reads them from a server). */
    private static final ParameterCatalogue PG15 = new ParameterCatalogue("15.18", Map.of(
            "shared_buffers", new ParameterCatalogue.Parameter("postmaster", "integer", "8kB", "16", "1073741823", List.of()),
            "wal_buffers", new ParameterCatalogue.Parameter("postmaster", "integer", "8kB", "-1", "262143", List.of()),
            "max_connections", new ParameterCatalogue.Parameter("postmaster", "integer", "", "1", "262143", List.of()),
            "work_mem", new ParameterCatalogue.Parameter("user", "integer", "kB", "64", "2147483647", List.of()),
            "synchronous_commit", new ParameterCatalogue.Parameter("user", "enum", "", "", "",
                    List.of("local", "remote_write", "remote_apply", "on", "off"))));

    private EmbeddedZooKeeper zooKeeper;
    private String url;
    private Dcs dcs;
    private Path dir;
    private Path passwordFile;
    private String cluster;
    private ClusterStore store;
    private Session session;
    private final List<ApiServer> apis = new ArrayList<>();
    /** What the agents were asked, in order: "n2 restart", "n2 restart if pending", "n2 reinitialize". */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    /** What each member's agent answers (default: done). */
    private final Map<String, Outcome> answers = new ConcurrentHashMap<>();

    @BeforeAll
    void startDcs() throws Exception {
        dir = TestDirectories.create("NodeCommandsIT");
        zooKeeper = EmbeddedZooKeeper.start(dir.resolve("zk"), FreePorts.allocate(), Duration.ofMillis(500));
        url = "zookeeper://127.0.0.1:" + zooKeeper.port();
        dcs = Dcs.connect(url, Duration.ofSeconds(3));
        passwordFile = dir.resolve("api.password");
        Files.writeString(passwordFile, PASSWORD + "\n");
    }

    @AfterAll
    void stopDcs() {
        dcs.close();
        zooKeeper.close();
    }

    @BeforeEach
    void publishCluster() {
        cluster = "node" + clusters.incrementAndGet();
        store = new ClusterStore(dcs, cluster);
        session = dcs.openSession(TTL);
        asked.clear();
        answers.clear();
        assertThat(store.takeLeader("n1", session)).isPresent();
        store.publish(member("n1", false, false, false), session);
        store.publish(member("n2", false, true, true), session);
        store.publish(member("n3", true, true, false), session);
    }

    @AfterEach
    void stopApis() {
        apis.forEach(ApiServer::close);
        apis.clear();
        session.close();
    }

    /** A member record whose apiUrl is a real API server of this test. */
    private Member member(String name, boolean replica, boolean inRecovery, boolean pendingRestart) {
        Operations agent = new Operations(pending -> answer(name, pending ? "restart if pending" : "restart"),
                () -> answer(name, "reload"), () -> answer(name, "reinitialize"));
        NodeState state = new NodeState(Optional.empty(), new NodeState.Postgres(true, inRecovery, 100, 100, 2), "playing an agent",
                System.currentTimeMillis(), true);
        ApiServer api = ApiServer.start(name, () -> state, store, agent, new HostPort("127.0.0.1", 0), "pgherd", PASSWORD, TTL);
        apis.add(api);
        return new Member(name, replica ? "replica" : "standby", inRecovery ? "streaming" : "running", "127.0.0.1",
                5430 + name.charAt(1) - '0', "http://127.0.0.1:" + api.port(), true, inRecovery, 2, 100, 100, replica, 1,
                inRecovery ? "n1" : "", pendingRestart, pendingRestart ? List.of("shared_buffers") : List.of());
    }

    private Outcome answer(String member, String what) {
        asked.add(member + " " + what);
        return answers.getOrDefault(member, what.startsWith("restart") ? Outcome.done("restarted successfully")
                : Outcome.done("reinitialize started (cloning again from n1)"));
    }

    record Result(int exit, String out, String err) {
    }

    /** {@code pgherd COMMAND... --dcs URL --cluster NAME ARGS...}, without a terminal, as a script runs it. */
    private Result ha(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of("--dcs", url, "--cluster", cluster));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        // No command may wait for an answer: with no terminal it must refuse or go on at once.
        int exit = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.execute(all.toArray(String[]::new)));
        return new Result(exit, out.toString(), err.toString());
    }

    private Result config(String sub, String... args) {
        return ha(List.of("config", sub), args);
    }

    private Result withApi(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--api-password-file", passwordFile.toString()));
        return ha(List.of(command), all.toArray(String[]::new));
    }

    private JsonNode stored() throws Exception {
        return JSON.readTree(dcs.get(store.keys().config()).orElseThrow().value());
    }

    // ---- config

    @Test
    void configSetWritesValidatedChangesAndShowPrintsThem() throws Exception {
        Result set = config("set", "ttl=20", "postgresql.parameters.work_mem=8MB", "postgresql.parameters.pg_stat_statements.track=all",
                "pause=false");

        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(set.out()).isEqualTo("changed the configuration of cluster " + cluster + ":\n"
                + "  + pause: false\n"
                + "  + postgresql.parameters.pg_stat_statements.track: all\n"
                + "  + postgresql.parameters.work_mem: 8MB\n"
                + "  + ttl: 20\n"
                + "the agents apply it in their next cycle; 'pgherd list' shows members that need a restart for it\n"
                + "the parameters were not checked: no agent has published the parameters of its PostgreSQL yet (each agent"
                + " still checks them before writing, and 'pgherd list' shows what it rejected)\n");
        assertThat(stored()).isEqualTo(JSON.readTree("{\"ttl\": 20, \"pause\": false, \"postgresql\": {\"parameters\":"
                + " {\"work_mem\": \"8MB\", \"pg_stat_statements.track\": \"all\"}}}"));

        Result yaml = config("show", "--stored");
        assertThat(yaml.exit()).isZero();
        assertThat(yaml.out()).isEqualTo("""
                ttl: 20
                postgresql:
                  parameters:
                    work_mem: 8MB
                    pg_stat_statements.track: all
                pause: false
                """);
        Result json = config("show", "--json");
        assertThat(JSON.readTree(json.out())).isEqualTo(stored());

        Result change = config("set", "postgresql.parameters.work_mem=null", "ttl=30", "loop_wait=\"2s\"");
        assertThat(change.exit()).as(change.toString()).isZero();
        assertThat(change.out()).contains("  + loop_wait: 2s\n", "  - postgresql.parameters.work_mem: 8MB\n", "  ~ ttl: 20 -> 30\n");
        assertThat(config("set", "ttl=30").out()).startsWith("the configuration of cluster " + cluster + " already says so");
    }

    @Test
    void configShowOfAnEmptyConfigurationShowsTheEffectiveValuesMarkedAsDefaults() {
        Result r = config("show");
        Result stored = config("show", "--stored");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("pause: false  # default\nttl: 10s  # default (unless agent.ha.ttl of an agent's file"
                + " says otherwise)\nloop_wait: 1s  # default").contains("\nretry_timeout: 3s  # default",
                "\nmaximum_lag_on_failover: 1048576  # default", "\nsynchronous_mode: false  # default",
                "\npostgresql:\n  parameters:\n", "\n    shared_buffers: 64MB  # pgherd's default\n");
        assertThat(stored.out()).isEqualTo("{}\n");
    }

    @Test
    void configSetRefusesUnknownParametersWithASuggestionAndBadValuesAndWritesNothing() throws Exception {
        store.publishCatalogue(PG15);
        config("set", "ttl=20");

        Result r = config("set", "postgresql.parameters.shared_bufers=1", "postgresql.parameters.wal_buffers=5 parsecs",
                "postgresql.parameters.max_connections=0", "postgresql.parameters.synchronous_commit=always",
                "postgresql.parameters.work_mem=8MB");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("""
                pgherd: the configuration was not changed (4 problems):
                  postgresql.parameters.max_connections: "0" is outside the valid range: 0 is not within 1 .. 262143
                  postgresql.parameters.shared_bufers: unknown parameter "shared_bufers" in PostgreSQL 15.18; did you mean \
                "shared_buffers"?
                  postgresql.parameters.synchronous_commit: invalid value "always": must be one of local, remote_write, \
                remote_apply, on, off
                  postgresql.parameters.wal_buffers: invalid value "5 parsecs": valid units for this parameter are "B", "kB", \
                "MB", "GB", "TB"
                """);
        assertThat(stored()).isEqualTo(JSON.readTree("{\"ttl\": 20}"));
    }

    @Test
    void configSetNamesTheParametersThatNeedARestart() throws Exception {
        store.publishCatalogue(PG15);

        Result r = config("set", "postgresql.parameters.shared_buffers=128MB", "postgresql.parameters.work_mem=8MB");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).endsWith("pending restart on every member: shared_buffers (PostgreSQL reads it only when it starts;"
                + " 'pgherd restart --pending' restarts the members that need it)\n");
        assertThat(stored()).isEqualTo(JSON.readTree("{\"postgresql\": {\"parameters\": {\"shared_buffers\": \"128MB\","
                + " \"work_mem\": \"8MB\"}}}"));
    }

    @Test
    void configSetRefusesAnInvalidChangeListingEveryProblemAndWritesNothing() throws Exception {
        config("set", "ttl=20");

        Result r = config("set", "ttl=soon", "loop_wait=0", "postgresql.parameters.port=5433", "sync=true");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("pgherd: the configuration was not changed (4 problems):\n").contains(
                "\n  sync: unknown key", "\n  ttl: must be a duration such as 500ms, 30s, 5min or 1h (got 'soon')",
                "\n  loop_wait: must be at least 100ms (got 0)", "\n  postgresql.parameters.port: is managed by pgherd");
        assertThat(stored()).isEqualTo(JSON.readTree("{\"ttl\": 20}"));
    }

    @Test
    void configSetWithoutKeyValueIsABadOption() {
        Result r = config("set", "ttl");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("expected KEY=VALUE, such as ttl=20 or postgresql.parameters.work_mem=8MB (got 'ttl')");
        assertThat(dcs.get(store.keys().config())).isEmpty();
    }

    @Test
    void configEditWithoutATerminalFailsAtOnceAndChangesNothing() {
        assertThat(System.console()).as("the test JVM runs without a terminal").isNull();

        Result r = config("edit");
        Result forced = config("edit", "--force");

        assertThat(List.of(r, forced)).extracting(Result::exit).containsOnly(1);
        assertThat(r.err()).isEqualTo("pgherd: config edit opens an editor and needs a terminal, and there is none; nothing"
                + " was changed: use 'pgherd config set KEY=VALUE...' in scripts\n");
        assertThat(forced.err()).isEqualTo(r.err());
        assertThat(dcs.get(store.keys().config())).isEmpty();
    }

    // ---- restart

    @Test
    void restartWithoutATerminalAndWithoutForceRefusesAndRestartsNothing() {
        Result r = withApi("restart", "n2", "n3");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("pgherd: restart of n2, n3 needs confirmation and there is no terminal to ask on; nothing"
                + " was done: pass --force to restart without asking\n");
        assertThat(asked).isEmpty();
    }

    @Test
    void forcedRestartAsksEveryMembersAgentWithTheLeaderLast() {
        Result r = withApi("restart", "--force");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(asked).containsExactly("n2 restart", "n3 restart", "n1 restart");
        assertThat(r.out()).isEqualTo("n2: restarted successfully\nn3: restarted successfully\nn1: restarted successfully\n");
    }

    @Test
    void restartPendingAsksOnlyMembersWithAPendingRestartAndOnlyIfStillPending() {
        Result r = withApi("restart", "--pending", "--force");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(asked).containsExactly("n2 restart if pending");
        assertThat(r.out()).isEqualTo("n2: restarted successfully\n");

        asked.clear();
        Result none = withApi("restart", "n1", "n3", "--pending");
        assertThat(none.exit()).as(none.toString()).isZero();
        assertThat(none.out()).isEqualTo("no named member has a pending restart; nothing to do\n");
        assertThat(asked).isEmpty();
    }

    @Test
    void aFailedRestartIsReportedAndTheOthersStillRun() {
        answers.put("n3", Outcome.refused("restart failed: PostgreSQL node n3 did not start"));

        Result r = withApi("restart", "--force");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(asked).containsExactly("n2 restart", "n3 restart", "n1 restart");
        assertThat(r.out()).contains("n3: restart failed (HTTP 503): restart failed: PostgreSQL node n3 did not start\n",
                "n1: restarted successfully\n");
        assertThat(r.err()).isEqualTo("pgherd: 1 of 3 restarts failed (see above)\n");
    }

    @Test
    void wrongCredentialsAreReportedPerMember() throws Exception {
        Path wrong = dir.resolve("wrong.password");
        Files.writeString(wrong, "not it");

        Result r = ha(List.of("restart"), "n2", "--force", "--api-password-file", wrong.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("n2: restart failed (HTTP 401): its REST API refused the credentials (user pgherd,"
                + " password from " + wrong + "); see --api-user and --api-password-file\n");
        assertThat(asked).isEmpty();
    }

    @Test
    void aMissingPasswordFileOrUnknownMemberIsRefusedBeforeAnything() {
        Result noFile = ha(List.of("restart"), "--force", "--api-password-file", dir.resolve("absent").toString());
        Result unknown = withApi("restart", "n2", "n9", "--force");

        assertThat(noFile.exit()).isEqualTo(1);
        assertThat(noFile.err()).startsWith("pgherd: cannot read the REST API password file " + dir.resolve("absent"));
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("pgherd: n9 is not a member of cluster " + cluster + " (members: n1, n2, n3);"
                + " nothing was done\n");
        assertThat(asked).isEmpty();
    }

    // ---- reinit

    @Test
    void reinitAsksTheMembersAgentAndSaysItStarted() {
        Result r = withApi("reinit", "n2", "--force");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(asked).containsExactly("n2 reinitialize");
        assertThat(r.out()).isEqualTo("n2: reinitialize started (cloning again from n1); 'pgherd list' shows it streaming again"
                + " when it is done\n");
    }

    @Test
    void reinitIsRefusedForTheLeaderWithoutATerminalAndWhenTheAgentRefuses() {
        Result leader = withApi("reinit", "n1", "--force");
        Result noTerminal = withApi("reinit", "n2");
        assertThat(asked).isEmpty();
        answers.put("n3", Outcome.refused("reinitialize already in progress"));
        Result busy = withApi("reinit", "n3", "--force");

        assertThat(List.of(leader, noTerminal, busy)).extracting(Result::exit).containsOnly(1);
        assertThat(leader.err()).isEqualTo("pgherd: n1 holds the leader key and cannot be reinitialized; switch over first"
                + " ('pgherd switchover'); nothing was done\n");
        assertThat(noTerminal.err()).isEqualTo("pgherd: reinitialize of n2 needs confirmation and there is no terminal to ask"
                + " on; nothing was done: pass --force to reinit without asking\n");
        assertThat(busy.err()).isEqualTo("pgherd: reinitialize of n3 refused (HTTP 503): reinitialize already in progress\n");
        assertThat(asked).containsExactly("n3 reinitialize");
    }

    // ---- list

    @Test
    void listMarksMembersWithAPendingRestart() throws Exception {
        Result list = ha(List.of("list"));

        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("MEMBER  HOST            ROLE     STATE      TL  LAG (BYTES)  PENDING RESTART\n",
                "n2      127.0.0.1:5432  standby  streaming  2   unknown      * shared_buffers\n",
                "n3      127.0.0.1:5433  replica  streaming  2   unknown\n");
        JsonNode json = JSON.readTree(ha(List.of("list"), "--json").out());
        assertThat(json.get("members").get(1).get("pending_restart").asBoolean()).isTrue();
        assertThat(json.get("members").get(1).get("pending_restart_parameters").get(0).asText()).isEqualTo("shared_buffers");
        assertThat(json.get("members").get(0).get("pending_restart").asBoolean()).isFalse();
    }
}
