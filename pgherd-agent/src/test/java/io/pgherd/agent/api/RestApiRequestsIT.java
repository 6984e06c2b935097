package io.pgherd.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.cluster.Member;
import io.pgherd.common.config.HostPort;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * The writing endpoints and the cluster reports against a real DCS (an embedded ZooKeeper server):
 * authentication, validation of switchover and failover requests against the member records and
 * leader key in the DCS, what they write there (read back through {@link ClusterStore}),
 * maintenance mode and the dynamic configuration, and how restart, reload and reinitialize reach
 * the agent (here a recorder of what was asked, answering what the test says; the agent's side is
 * {@code DynamicConfigIT}'s). Each test has a cluster of its own: n1 leads, n2 and n5 are running
 * standbys, n3 a read replica, n4 a stopped standby.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiRequestsIT {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final String USER = "pgherd";
    private static final String PASSWORD = "Zq8-unmistakable-password";
    private static final String AUTH = ApiClient.basic(USER, PASSWORD);
    private static final long LEADER_POSITION = 80_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger clusters = new AtomicInteger();

    private EmbeddedZooKeeper zooKeeper;
    private Dcs dcs;
    private ClusterStore store;
    private Session session;
    private ApiServer api;
    private ApiClient client;
    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();
    /** What the API asked of its agent, in order ({@code restart}, {@code restart if pending}, {@code reload}, ...). */
    private final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Operations.Outcome answer = Operations.Outcome.done("restarted successfully");

    @BeforeAll
    void startDcs() {
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("restapi-requests-zk"), FreePorts.allocate(),
                Duration.ofMillis(200));
        dcs = Dcs.connect("zookeeper://127.0.0.1:" + zooKeeper.port(), Duration.ofSeconds(3));
    }

    @AfterAll
    void stopDcs() {
        dcs.close();
        zooKeeper.close();
    }

    @BeforeEach
    void startClusterAndApi() {
        store = new ClusterStore(dcs, "requests" + clusters.incrementAndGet());
        session = dcs.openSession(TTL);
        assertThat(store.takeLeader("n1", session)).isPresent();
        store.publish(member("n1", "standby", true, false, LEADER_POSITION, LEADER_POSITION), session);
        store.publish(member("n2", "standby", true, true, LEADER_POSITION - 100, LEADER_POSITION - 300), session);
        store.publish(member("n3", "replica", true, true, LEADER_POSITION - 200, LEADER_POSITION - 200), session);
        store.publish(member("n4", "standby", false, false, 0, 0), session);
        store.publish(member("n5", "standby", true, true, LEADER_POSITION - 5000, LEADER_POSITION - 6000), session);
        store.publishPosition(LEADER_POSITION);
        NodeState me = new NodeState(Optional.of(ClusterState.of(store.read())),
                new NodeState.Postgres(true, false, LEADER_POSITION, LEADER_POSITION, 2), "leading with the key",
                System.currentTimeMillis(), true);
        asked.clear();
        answer = Operations.Outcome.done("restarted successfully");
        Operations agent = new Operations(pending -> {
            asked.add(pending ? "restart if pending" : "restart");
            return answer;
        }, () -> {
            asked.add("reload");
            return answer;
        }, () -> {
            asked.add("reinitialize");
            return answer;
        });
        api = ApiServer.start("n1", () -> me, store, agent, new HostPort("127.0.0.1", 0), USER, PASSWORD, TTL);
        client = new ApiClient("127.0.0.1", api.port());
    }

    @AfterEach
    void stopClusterAndApi() throws Exception {
        api.close();
        session.close();
        for (AutoCloseable c : closeAfterTest) {
            c.close();
        }
        closeAfterTest.clear();
    }

    private static Member member(String name, String role, boolean running, boolean inRecovery, long position, long replayed) {
        return new Member(name, role, running ? (inRecovery ? "streaming" : "running") : "stopped", "127.0.0.1",
                5432 + name.charAt(1) - '0', "http://127.0.0.1:800" + name.charAt(1), running, inRecovery, 2, position,
                replayed, role.equals("replica"), 1, inRecovery ? "n1" : "");
    }

    private HttpResponse<String> post(String path, String body) {
        return client.send("POST", path, body, AUTH);
    }

    private Optional<ClusterState.Switchover> requested() {
        return ClusterState.of(store.read()).switchover();
    }

    // ---- authentication

    @ParameterizedTest
    @CsvSource({"POST, /switchover", "DELETE, /switchover", "POST, /failover", "PATCH, /config", "POST, /restart",
            "POST, /reload", "POST, /reinitialize"})
    void everyWritingEndpointRequiresCredentials(String method, String path) {
        HttpResponse<String> response = client.send(method, path, "{\"leader\":\"n1\",\"candidate\":\"n2\",\"pause\":true}", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic "));
        assertThat(requested()).isEmpty();
        assertThat(ClusterState.of(store.read()).paused()).isFalse();
        assertThat(asked).as("no operation reached the agent").isEmpty();
    }

    @Test
    void wrongCredentialsAreRefusedAndWriteNothing() {
        String body = "{\"leader\":\"n1\",\"candidate\":\"n2\"}";

        assertThat(client.send("POST", "/switchover", body, ApiClient.basic(USER, PASSWORD + "x")).statusCode()).isEqualTo(401);
        assertThat(client.send("POST", "/switchover", body, ApiClient.basic("admin", PASSWORD)).statusCode()).isEqualTo(401);
        assertThat(client.send("POST", "/switchover", body, "Basic not-base64!").statusCode()).isEqualTo(401);
        assertThat(client.send("POST", "/switchover", body, "Bearer " + PASSWORD).statusCode()).isEqualTo(401);
        assertThat(requested()).isEmpty();

        assertThat(client.send("POST", "/switchover", body, AUTH).statusCode()).isEqualTo(200);
        assertThat(requested()).isPresent();
    }

    @Test
    void thePasswordNeverAppearsInTheLogs() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.pgherd.agent.api");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        closeAfterTest.add(() -> logger.detachAppender(captured));

        client.send("POST", "/switchover", "{\"leader\":\"n1\"}", ApiClient.basic("admin", PASSWORD));
        client.send("POST", "/switchover", "{\"leader\":\"n1\"}", ApiClient.basic(USER, PASSWORD + "x"));
        client.send("POST", "/switchover", "{\"leader\":\"n1\",\"candidate\":\"n2\"}", AUTH);
        client.send("PATCH", "/config", "{\"pause\":true}", AUTH);

        assertThat(captured.list).as("refusals and requests are logged").hasSizeGreaterThanOrEqualTo(4);
        for (ILoggingEvent event : captured.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(PASSWORD).doesNotContain(AUTH.substring(6));
        }
        assertThat(captured.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("wrong credentials"));
    }

    // ---- switchover

    @Test
    void switchoverToARunningStandbyWritesTheFailoverKey() throws IOException {
        HttpResponse<String> response = post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("switchover requested").contains("from n1 to n2");
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "n2", 0));
        JsonNode key = JSON.readTree(dcs.get(store.keys().failover()).orElseThrow().value());
        assertThat(key.path("from").asText()).isEqualTo("n1");
        assertThat(key.path("to").asText()).isEqualTo("n2");
    }

    @Test
    void switchoverWithoutCandidateLeavesTheChoiceToTheAgents() {
        HttpResponse<String> response = post("/switchover", "{\"leader\": \"n1\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("the best candidate");
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "", 0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"leader\": \"n2\", \"candidate\": \"n5\"} | leader name does not match: the leader is n1 (got n2)",
            "{\"leader\": \"n1\", \"candidate\": \"n9\"} | candidate n9 does not exist (members: n1, n2, n3, n4, n5)",
            "{\"leader\": \"n1\", \"candidate\": \"n3\"} | candidate n3 is a read replica",
            "{\"leader\": \"n1\", \"candidate\": \"n4\"} | candidate n4 is not running",
            "{\"leader\": \"n1\", \"candidate\": \"n1\"} | candidate n1 already holds the leader key"
    })
    void switchoverIsRefusedWith412WhenTheClusterDoesNotAllowIt(String body, String message) {
        HttpResponse<String> response = post("/switchover", body);

        assertThat(response.statusCode()).isEqualTo(412);
        assertThat(response.body()).contains(message);
        assertThat(requested()).isEmpty();
    }

    @Test
    void switchoverIsRefusedWhenNoStandbyCouldTakeOver() {
        store.publish(member("n2", "standby", false, false, 0, 0), session);
        store.publish(member("n5", "replica", true, true, LEADER_POSITION, LEADER_POSITION), session);

        HttpResponse<String> response = post("/switchover", "{\"leader\": \"n1\"}");

        assertThat(response.statusCode()).isEqualTo(412);
        assertThat(response.body()).contains("no running standby may take over");
        assertThat(requested()).isEmpty();
    }

    @Test
    void switchoverNeedsALeader() {
        store.releaseLeader(store.read().leader().orElseThrow());

        HttpResponse<String> response = post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}");

        assertThat(response.statusCode()).isEqualTo(412);
        assertThat(response.body()).contains("no leader");
        assertThat(requested()).isEmpty();
    }

    @Test
    void inSynchronousModeOnlyTheSynchronousStandbyMayTakeOver() {
        dcs.put(store.keys().sync(), "{\"standby\":\"n5\"}");

        HttpResponse<String> refused = post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}");
        assertThat(refused.statusCode()).isEqualTo(412);
        assertThat(refused.body()).contains("only the synchronous standby n5");
        assertThat(requested()).isEmpty();

        assertThat(post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n5\"}").statusCode()).isEqualTo(200);
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "n5", 0));
    }

    @Test
    void scheduledSwitchoverIsAcceptedWith202AndItsTime() {
        Instant at = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<String> response = post("/switchover",
                "{\"leader\": \"n1\", \"candidate\": \"n2\", \"scheduled_at\": \"" + at + "\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("scheduled").contains(at.toString());
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "n2", at.toEpochMilli()));
    }

    @Test
    void aSwitchoverCannotBeScheduledInThePastOrWithoutAnOffset() {
        HttpResponse<String> past = post("/switchover", "{\"leader\": \"n1\", \"scheduled_at\": \"2001-01-01T00:00:00Z\"}");
        assertThat(past.statusCode()).isEqualTo(422);
        assertThat(past.body()).contains("in the past");

        HttpResponse<String> local = post("/switchover", "{\"leader\": \"n1\", \"scheduled_at\": \"2099-01-01T00:00:00\"}");
        assertThat(local.statusCode()).isEqualTo(400);
        assertThat(local.body()).contains("time zone offset");
        assertThat(requested()).isEmpty();
    }

    @Test
    void aPendingSwitchoverIsNotReplacedButCanBeCancelled() {
        assertThat(post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> second = post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n5\"}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("already pending").contains("DELETE /switchover");
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "n2", 0));

        HttpResponse<String> cancel = client.send("DELETE", "/switchover", null, AUTH);
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(cancel.body()).contains("cancelled").contains("from n1 to n2");
        assertThat(requested()).isEmpty();
        assertThat(client.send("DELETE", "/switchover", null, AUTH).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "body [{0}]")
    @CsvSource(delimiter = '|', value = {
            "{\"leader\": \"n1\" | the body is not valid JSON",
            "[\"n1\"] | the body must be a JSON object (got array)",
            "{\"leader\": 1} | \"leader\" must be a string (got 1)",
            "{\"leader\": \"n1\"} trailing | the body is not valid JSON",
            "{\"candidate\": \"n2\"} | needs the current leader's name",
            "'' | the body must be a JSON object, and it is empty"
    })
    void malformedRequestsAre400WithAMessage(String body, String message) {
        HttpResponse<String> response = post("/switchover", body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("pgherd: ").contains(message);
        assertThat(requested()).isEmpty();
    }

    @Test
    void maintenanceModeRefusesSwitchoversTheAgentsWouldNotAct() {
        store.pause(true);

        HttpResponse<String> response = post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}");

        assertThat(response.statusCode()).isEqualTo(412);
        assertThat(response.body()).contains("maintenance mode is on");
        assertThat(requested()).isEmpty();
    }

    // ---- failover

    @Test
    void failoverToACandidateRecordsARequestWithoutLeader() {
        HttpResponse<String> response = post("/failover", "{\"candidate\": \"n5\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("failover requested");
        assertThat(requested()).contains(new ClusterState.Switchover("", "n5", 0));
    }

    @Test
    void failoverWorksWithoutALeaderToo() {
        store.releaseLeader(store.read().leader().orElseThrow());

        assertThat(post("/failover", "{\"candidate\": \"n2\"}").statusCode()).isEqualTo(200);
        assertThat(requested()).contains(new ClusterState.Switchover("", "n2", 0));
    }

    @Test
    void failoverWithALeaderFieldIsASwitchover() {
        assertThat(post("/failover", "{\"leader\": \"n2\", \"candidate\": \"n5\"}").statusCode()).isEqualTo(412);
        HttpResponse<String> response = post("/failover", "{\"leader\": \"n1\", \"candidate\": \"n5\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("switchover requested");
        assertThat(requested()).contains(new ClusterState.Switchover("n1", "n5", 0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{} | 400 | needs the member to promote in \"candidate\"",
            "{\"candidate\": \"n2\", \"scheduled_at\": \"2099-01-01T00:00:00Z\"} | 400 | cannot be scheduled",
            "{\"candidate\": \"n3\"} | 412 | candidate n3 is a read replica",
            "{\"candidate\": \"n4\"} | 412 | candidate n4 is not running",
            "{\"candidate\": \"n9\"} | 412 | candidate n9 does not exist"
    })
    void failoverIsRefusedForBadCandidates(String body, int status, String message) {
        HttpResponse<String> response = post("/failover", body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).contains(message);
        assertThat(requested()).isEmpty();
    }

    // ---- maintenance mode

    @Test
    void patchConfigPausesAndResumesTheCluster() throws IOException {
        HttpResponse<String> paused = client.send("PATCH", "/config", "{\"pause\": true}", AUTH);
        assertThat(paused.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(paused.body()).path("pause").asBoolean()).isTrue();
        assertThat(ClusterState.of(store.read()).paused()).isTrue();
        assertThat(JSON.readTree(client.get("/cluster").body()).path("paused").asBoolean()).isTrue();

        HttpResponse<String> resumed = client.send("PATCH", "/config", "{\"pause\": false}", AUTH);
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(resumed.body()).path("pause").asBoolean()).isFalse();
        assertThat(ClusterState.of(store.read()).paused()).isFalse();
    }

    @Test
    void patchConfigMergesAndGetConfigShowsTheResult() throws IOException {
        HttpResponse<String> first = client.send("PATCH", "/config",
                "{\"ttl\": 20, \"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\", \"max_connections\": 200}}}", AUTH);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

        HttpResponse<String> second = client.send("PATCH", "/config",
                "{\"loop_wait\": \"2s\", \"postgresql\": {\"parameters\": {\"work_mem\": null, \"jit\": false}}}", AUTH);

        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        JsonNode expected = JSON.readTree("{\"ttl\": 20, \"loop_wait\": \"2s\","
                + " \"postgresql\": {\"parameters\": {\"max_connections\": 200, \"jit\": false}}}");
        assertThat(JSON.readTree(second.body())).isEqualTo(expected);
        HttpResponse<String> shown = client.get("/config");
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(shown.body())).isEqualTo(expected);
        assertThat(JSON.readTree(dcs.get(store.keys().config()).orElseThrow().value())).isEqualTo(expected);
        assertThat(client.send("HEAD", "/config", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void getConfigOfAClusterWithoutOneIsEmpty() throws IOException {
        HttpResponse<String> shown = client.get("/config");

        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(shown.body())).isEqualTo(JSON.createObjectNode());
    }

    @Test
    void aBadPatchIs400ListingEveryProblemAndWritesNothing() throws IOException {
        client.send("PATCH", "/config", "{\"ttl\": 20}", AUTH);

        HttpResponse<String> response = client.send("PATCH", "/config", """
                {"ttl": "soon", "loop_wait": 0.01, "pause": "yes", "synchronous_mod": true,
                 "postgresql": {"parameters": {"port": 5433, "wal_level": "minimal", "work_mem": "8MB"}}}""", AUTH);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("pgherd: the configuration was not changed (6 problems):\n").contains(
                "\n  synchronous_mod: unknown key", "\n  pause: must be true or false (got 'yes')",
                "\n  ttl: must be a duration such as 500ms, 30s, 5min or 1h (got 'soon')",
                "\n  loop_wait: must be at least 100ms (got 0.01)",
                "\n  postgresql.parameters.port: is managed by pgherd",
                "\n  postgresql.parameters.wal_level: is managed by pgherd");
        assertThat(JSON.readTree(client.get("/config").body())).isEqualTo(JSON.readTree("{\"ttl\": 20}"));
    }

    @Test
    void aPatchThatBreaksTheTimingRuleIsRefused() {
        HttpResponse<String> response = client.send("PATCH", "/config", "{\"ttl\": 5, \"loop_wait\": 2, \"retry_timeout\": 2}", AUTH);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("ttl: loop_wait + 2 * retry_timeout must be <= ttl (got 2s + 2 * 2s > 5s)");
        assertThat(dcs.get(store.keys().config())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"pause\": tru}", "[1]", ""})
    void patchConfigNeedsAJsonObject(String body) {
        HttpResponse<String> response = client.send("PATCH", "/config", body, AUTH);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("pgherd: ");
        assertThat(dcs.get(store.keys().config())).isEmpty();
    }

    @Test
    void pauseKeepsTheRestOfTheConfiguration() throws IOException {
        client.send("PATCH", "/config", "{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}", AUTH);

        store.pause(true);

        assertThat(JSON.readTree(client.get("/config").body())).isEqualTo(JSON.readTree(
                "{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}, \"pause\": true}"));
        assertThat(ClusterState.of(store.read()).paused()).isTrue();
    }

    // ---- operations the agent carries out

    @Test
    void restartReloadAndReinitializeReachTheAgentAndAnswerItsOutcome() {
        HttpResponse<String> restart = post("/restart", null);
        HttpResponse<String> pending = post("/restart", "{\"restart_pending\": true}");
        answer = Operations.Outcome.done("reloaded configuration (0 parameter(s) from the DCS)");
        HttpResponse<String> reload = post("/reload", null);
        answer = Operations.Outcome.refused("I am the leader, can not reinitialize");
        HttpResponse<String> reinitialize = post("/reinitialize", "{}");

        assertThat(asked).containsExactly("restart", "restart if pending", "reload", "reinitialize");
        assertThat(restart.statusCode()).isEqualTo(200);
        assertThat(restart.body()).isEqualTo("restarted successfully\n");
        assertThat(pending.statusCode()).isEqualTo(200);
        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(reload.body()).startsWith("reloaded configuration");
        assertThat(reinitialize.statusCode()).isEqualTo(503);
        assertThat(reinitialize.body()).isEqualTo("pgherd: I am the leader, can not reinitialize\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"restart_pending\": \"yes\"} | \"restart_pending\" must be true or false",
            "{\"schedule\": \"2030-01-01T00:00:00Z\"} | takes only \"restart_pending\" in this version (got \"schedule\")",
            "[true] | the body must be a JSON object"
    })
    void aMalformedRestartIs400AndDoesNotReachTheAgent(String body, String message) {
        HttpResponse<String> response = post("/restart", body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains(message);
        assertThat(asked).isEmpty();
    }

    @Test
    void anApiWithoutAnAgentRefusesOperationsWith503() {
        ApiServer alone = ApiServer.start("n1", () -> null, store, new HostPort("127.0.0.1", 0), USER, PASSWORD, TTL);
        closeAfterTest.add(alone);

        HttpResponse<String> response = new ApiClient("127.0.0.1", alone.port()).send("POST", "/restart", null, AUTH);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("serves no agent");
    }

    // ---- reports

    @Test
    void clusterReportListsMembersWithRolesLagAndTags() throws IOException {
        post("/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}");

        JsonNode cluster = JSON.readTree(client.get("/cluster").body());

        assertThat(cluster.path("scope").asText()).isEqualTo(store.keys().cluster());
        assertThat(cluster.path("leader").asText()).isEqualTo("n1");
        assertThat(cluster.path("paused").asBoolean()).isFalse();
        assertThat(cluster.path("last_leader_position").asLong()).isEqualTo(LEADER_POSITION);
        assertThat(cluster.path("members")).extracting(m -> m.path("name").asText()).containsExactly("n1", "n2", "n3", "n4", "n5");
        JsonNode n1 = cluster.path("members").get(0);
        assertThat(n1.path("role").asText()).isEqualTo("leader");
        assertThat(n1.path("state").asText()).isEqualTo("running");
        assertThat(n1.path("port").asInt()).isEqualTo(5433);
        assertThat(n1.path("api_url").asText()).isEqualTo("http://127.0.0.1:8001");
        assertThat(n1.path("timeline").asInt()).isEqualTo(2);
        assertThat(n1.has("lag")).isFalse();
        JsonNode n2 = cluster.path("members").get(1);
        assertThat(n2.path("role").asText()).isEqualTo("standby");
        assertThat(n2.path("state").asText()).isEqualTo("streaming");
        assertThat(n2.path("lag").asLong()).isEqualTo(100);
        assertThat(n2.path("replay_lag").asLong()).isEqualTo(300);
        assertThat(n2.path("following").asText()).isEqualTo("n1");
        JsonNode n3 = cluster.path("members").get(2);
        assertThat(n3.path("role").asText()).isEqualTo("replica");
        assertThat(n3.path("tags").path("nofailover").asBoolean()).isTrue();
        JsonNode n4 = cluster.path("members").get(3);
        assertThat(n4.path("state").asText()).isEqualTo("stopped");
        assertThat(n4.path("lag").isNull()).as("a stopped member's lag is unknown").isTrue();
        assertThat(cluster.path("switchover").path("from").asText()).isEqualTo("n1");
        assertThat(cluster.path("switchover").path("to").asText()).isEqualTo("n2");
        assertThat(cluster.path("switchover").path("scheduled_at").isNull()).isTrue();
    }

    @Test
    void clusterReportShowsTheSynchronousStandby() throws IOException {
        dcs.put(store.keys().sync(), "{\"standby\":\"n5\"}");

        JsonNode cluster = JSON.readTree(client.get("/cluster").body());

        assertThat(cluster.path("synchronous_standby").asText()).isEqualTo("n5");
        assertThat(cluster.path("members").get(4).path("role").asText()).isEqualTo("sync_standby");
    }

    @Test
    void historyListsThePromotionsRecordedInTheDcs() throws IOException {
        assertThat(JSON.readTree(client.get("/history").body()).size()).isZero();
        store.appendHistory(new HistoryEntry("n1", null, "failover", 2, 0, null, 5, null, null, null));
        store.appendHistory(new HistoryEntry("n2", "n1", "switchover", 3, 0, null, 9, null, null, null));

        HttpResponse<String> response = client.get("/history");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode history = JSON.readTree(response.body());
        assertThat(history).extracting(e -> e.path("leader").asText()).containsExactly("n1", "n2");
        assertThat(history.get(1).path("reason").asText()).isEqualTo("switchover");
    }

    // ---- the DCS does not answer

    @Test
    void withoutTheDcsReportsAndRequestsAre503WhileHealthChecksStillAnswer() {
        Dcs unreachable = Dcs.connect("zookeeper://127.0.0.1:" + FreePorts.allocate(), Duration.ofMillis(500));
        closeAfterTest.add(unreachable);
        ClusterStore lost = new ClusterStore(unreachable, store.keys().cluster());
        NodeState replica = new NodeState(Optional.empty(), new NodeState.Postgres(true, true, 10, 10, 2), "the DCS cannot be reached",
                System.currentTimeMillis(), false);
        ApiServer cutOff = ApiServer.start("n2", () -> replica, lost, new HostPort("127.0.0.1", 0), USER, PASSWORD, TTL);
        closeAfterTest.add(cutOff);
        ApiClient cut = new ApiClient("127.0.0.1", cutOff.port());

        assertThat(cut.get("/cluster").statusCode()).isEqualTo(503);
        assertThat(cut.get("/history").statusCode()).isEqualTo(503);
        HttpResponse<String> switchover = cut.send("POST", "/switchover", "{\"leader\": \"n1\", \"candidate\": \"n2\"}", AUTH);
        assertThat(switchover.statusCode()).isEqualTo(503);
        assertThat(switchover.body()).contains("the DCS did not answer");
        assertThat(cut.send("PATCH", "/config", "{\"pause\": true}", AUTH).statusCode()).isEqualTo(503);
        assertThat(cut.get("/replica").statusCode()).isEqualTo(200);
        assertThat(cut.get("/primary").statusCode()).isEqualTo(503);
        assertThat(requested()).as("nothing reached the real DCS").isEmpty();
    }
}
