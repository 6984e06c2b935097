package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code list}, {@code switchover}, {@code failover}, {@code pause}, {@code resume} and
 * {@code history} run in-process through {@link Main}'s command line against a real DCS (an
 * embedded ZooKeeper server) whose member records and leader key the test writes itself, as agents
 * would; what the commands write is read back from the DCS. No PostgreSQL: no agent acts on the
 * requests unless a test plays its part. Each test has a cluster of its own: n1 leads, n2 and n5
 * are running standbys, n3 a read replica, n4 a stopped standby.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaCommandsIT {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final long LEADER_POSITION = 80_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger clusters = new AtomicInteger();

    private EmbeddedZooKeeper zooKeeper;
    private String url;
    private Dcs dcs;
    private String cluster;
    private ClusterStore store;
    private Session session;

    @BeforeAll
    void startDcs() {
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("HaCommandsIT-zk"), FreePorts.allocate(), Duration.ofMillis(500));
        url = "zookeeper://127.0.0.1:" + zooKeeper.port();
        dcs = Dcs.connect(url, Duration.ofSeconds(3));
    }

    @AfterAll
    void stopDcs() {
        dcs.close();
        zooKeeper.close();
    }

    @BeforeEach
    void publishCluster() {
        cluster = "cli" + clusters.incrementAndGet();
        store = new ClusterStore(dcs, cluster);
        session = dcs.openSession(TTL);
        assertThat(store.takeLeader("n1", session)).isPresent();
        store.publish(member("n1", "standby", true, false, LEADER_POSITION), session);
        store.publish(member("n2", "standby", true, true, LEADER_POSITION - 100), session);
        store.publish(member("n3", "replica", true, true, LEADER_POSITION - 200), session);
        store.publish(member("n4", "standby", false, false, 0), session);
        store.publish(member("n5", "standby", true, true, LEADER_POSITION - 5000), session);
        store.publishPosition(LEADER_POSITION);
    }

    @AfterEach
    void closeSession() {
        session.close();
    }

    private static Member member(String name, String role, boolean running, boolean inRecovery, long position) {
        return new Member(name, role, running ? (inRecovery ? "streaming" : "running") : "stopped", "127.0.0.1",
                5430 + name.charAt(1) - '0', "http://127.0.0.1:800" + name.charAt(1), running, inRecovery, running ? 2 : 0,
                position, position, role.equals("replica"), 1, inRecovery ? "n1" : "");
    }

    private static JarCli.InJvm pgherd(String... args) {
        return JarCli.inThisJvm(args);
    }

    /** {@code pgherd COMMAND --dcs URL --cluster NAME ARGS...} for this test's cluster. */
    private JarCli.InJvm ha(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--dcs", url, "--cluster", cluster));
        all.addAll(List.of(args));
        return pgherd(all.toArray(String[]::new));
    }

    private Optional<JsonNode> failoverKey() throws Exception {
        Optional<Entry> entry = dcs.get(store.keys().failover());
        return entry.isEmpty() ? Optional.empty() : Optional.of(JSON.readTree(entry.get().value()));
    }

    @Test
    void listShowsTheNewReplicasNotReadyYetWithOrWithoutAMemberRecord() throws Exception {
        // n3 streams but the controller has not yet seen it within the lag limit; n6 clones (no member record yet).
        store.putAssignment(Assignment.of("n3", Assignment.Role.REPLICA, false, "t-1", 1).withReady(false));
        store.putAssignment(Assignment.of("n6", Assignment.Role.REPLICA, false, "t-2", 1).withCloneFrom("n2").withReady(false));
        store.putAssignment(Assignment.of("n5", Assignment.Role.REPLICA, false, "t-3", 1));

        JarCli.InJvm list = ha("list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).containsPattern("\nn3 +127\\.0\\.0\\.1:5433 +replica +streaming, not ready +2 +200\n")
                .containsPattern("\nn5 +127\\.0\\.0\\.1:5435 +standby +streaming +2 +5000\n")
                .containsPattern("\nn6 +- +replica +no record yet, not ready +- +unknown\n");
        String why = "not ready: a new replica the controller has not yet seen stream within the lag limit; the proxies send it no reads";
        assertThat(list.out()).contains("\nn3: " + why + "\n",
                "\nn6: " + why + " (its agent has published no member record yet: it clones or starts)\n");
        assertThat(list.out()).doesNotContain("n5: not ready");

        JsonNode members = JSON.readTree(ha("list", "--json").out()).get("members");
        Map<String, JsonNode> byName = new HashMap<>();
        members.forEach(m -> byName.put(m.get("name").asText(), m));
        assertThat(byName.get("n3").get("ready").asBoolean()).isFalse();
        assertThat(byName.get("n3").get("recorded").asBoolean()).isTrue();
        assertThat(byName.get("n5").get("ready").asBoolean()).isTrue();
        assertThat(byName.get("n1").get("ready").asBoolean()).isTrue();
        assertThat(byName.get("n6").get("ready").asBoolean()).isFalse();
        assertThat(byName.get("n6").get("recorded").asBoolean()).isFalse();
        assertThat(byName.get("n6").get("running").asBoolean()).isFalse();
        assertThat(byName.get("n6").get("role").asText()).isEqualTo("replica");
    }

    @Test
    void listShowsEveryMemberAndTheLeader() throws Exception {
        JarCli.InJvm list = ha("list");

        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.err()).isEmpty();
        assertThat(list.out()).startsWith("cluster " + cluster + ": leader n1\n").contains(
                "n1      127.0.0.1:5431  leader   running    2   -\n",
                "n2      127.0.0.1:5432  standby  streaming  2   100\n",
                "n3      127.0.0.1:5433  replica  streaming  2   200\n",
                "n4      127.0.0.1:5434  standby  stopped    -   unknown\n",
                "n5      127.0.0.1:5435  standby  streaming  2   5000\n");
        assertThat(list.out()).doesNotContain("pending", "maintenance");

        JarCli.InJvm json = ha("list", "--json");
        assertThat(json.exit()).as(json.toString()).isZero();
        JsonNode root = JSON.readTree(json.out());
        assertThat(root.get("leader").asText()).isEqualTo("n1");
        assertThat(root.get("members")).extracting(m -> m.get("name").asText() + " " + m.get("role").asText())
                .containsExactly("n1 leader", "n2 standby", "n3 replica", "n4 standby", "n5 standby");
        assertThat(root.get("members").get(4).get("lag_bytes").asLong()).isEqualTo(5000);
    }

    @Test
    void switchoverWithoutTerminalAndWithoutForceRefusesAndWritesNothing() throws Exception {
        assertThat(System.console()).as("the test JVM runs without a terminal").isNull();

        JarCli.InJvm r = ha("switchover", "--candidate", "n2");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("pgherd: switchover from n1 to n2 needs confirmation and there is no terminal to ask"
                + " on; nothing was written: pass --force to switchover without asking\n");
        assertThat(failoverKey()).isEmpty();
    }

    @Test
    void forcedSwitchoverWritesTheRequestAndListShowsItPending() throws Exception {
        JarCli.InJvm r = ha("switchover", "--leader", "n1", "--candidate", "n2", "--force", "--wait", "0");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("switchover from n1 to n2 requested; not waiting (--wait 0)");
        JsonNode key = failoverKey().orElseThrow();
        assertThat(key.get("from").asText()).isEqualTo("n1");
        assertThat(key.get("to").asText()).isEqualTo("n2");
        assertThat(key.get("not_before").asLong()).isZero();
        assertThat(ha("list").out()).contains("pending switchover: from n1 to n2\n");

        JarCli.InJvm again = ha("switchover", "--candidate", "n5", "--force", "--wait", "0");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("pgherd: a switchover is already pending (from n1 to n2); cancel it first");

        JarCli.InJvm cancel = ha("switchover", "--cancel");
        assertThat(cancel.exit()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).isEqualTo("cancelled the pending switchover (from n1 to n2)\n");
        assertThat(failoverKey()).isEmpty();
    }

    @Test
    void switchoverWaitsUntilTheCandidateLeads() throws Exception {
        // Plays the agents' part: once the request shows, n1 releases the key and n5 takes it.
        CompletableFuture<Void> agents = CompletableFuture.runAsync(() -> {
            Await.until("the switchover request", Duration.ofSeconds(10), () -> ClusterState.of(store.read()).switchover().isPresent());
            store.releaseLeader(store.read().leader().orElseThrow());
            assertThat(store.takeLeader("n5", session)).isPresent();
            store.clearSwitchover();
        });

        JarCli.InJvm r = ha("switchover", "--candidate", "n5", "--force", "--wait", "15");

        agents.get(15, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("switchover from n1 to n5 requested; waiting up to 15 s for n5 to lead\n")
                .containsPattern("switchover done: n5 leads now \\(\\d+\\.\\d s after the request\\)\n$");
    }

    @Test
    void switchoverThatNobodyActsOnTimesOutAndSaysTheRequestStaysPending() throws Exception {
        JarCli.InJvm r = ha("switchover", "--candidate", "n2", "--force", "--wait", "1");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("pgherd: switchover from n1 to n2 not done within 1 s: n1 still leads; the request"
                + " stays pending ('pgherd list' shows it, 'pgherd switchover --cancel' withdraws it)\n");
        assertThat(failoverKey()).isPresent();
    }

    @Test
    void scheduledSwitchoverIsWrittenWithItsTimeAndNotAwaited() throws Exception {
        Instant at = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

        JarCli.InJvm r = ha("switchover", "--candidate", "n2", "--scheduled", at.toString(), "--force");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("switchover requested; scheduled for " + at + " (switchover from n1 to n2, not before " + at);
        assertThat(failoverKey().orElseThrow().get("not_before").asLong()).isEqualTo(at.toEpochMilli());
    }

    @Test
    void candidateThatCannotLeadIsRefusedAndNothingIsWritten() throws Exception {
        JarCli.InJvm replica = ha("switchover", "--candidate", "n3", "--force");
        JarCli.InJvm unknown = ha("switchover", "--candidate", "n9", "--force");
        JarCli.InJvm stopped = ha("failover", "--candidate", "n4", "--force");
        JarCli.InJvm wrongLeader = ha("switchover", "--leader", "n2", "--candidate", "n5", "--force");

        assertThat(List.of(replica, unknown, stopped, wrongLeader)).extracting(JarCli.InJvm::exit).containsOnly(1);
        assertThat(replica.err()).isEqualTo("pgherd: candidate n3 is a read replica (nofailover): it is never promoted;"
                + " pick a standby\n");
        assertThat(unknown.err()).isEqualTo("pgherd: candidate n9 is not a member of the cluster (members: n1, n2, n3, n4, n5)\n");
        assertThat(stopped.err()).isEqualTo("pgherd: candidate n4 is not running (state stopped)\n");
        assertThat(wrongLeader.err()).isEqualTo("pgherd: leader name does not match: the leader is n1 (got --leader n2)\n");
        assertThat(failoverKey()).isEmpty();
    }

    @Test
    void failoverWritesARequestFromWhoeverLeads() throws Exception {
        JarCli.InJvm r = ha("failover", "--candidate", "n2", "--force", "--wait", "0");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("failover from n1 to n2 requested");
        JsonNode key = failoverKey().orElseThrow();
        assertThat(key.get("from").asText()).isEmpty();
        assertThat(key.get("to").asText()).isEqualTo("n2");
        assertThat(ha("list").out()).contains("pending failover: from whoever leads to n2\n");
    }

    @Test
    void pauseAndResumeToggleMaintenanceModeInTheConfigKey() throws Exception {
        JarCli.InJvm pause = ha("pause", "--wait", "5");

        assertThat(pause.exit()).as(pause.toString()).isZero();
        assertThat(pause.out()).startsWith("maintenance mode on");
        assertThat(JSON.readTree(dcs.get(store.keys().config()).orElseThrow().value()).get("pause").asBoolean()).isTrue();
        assertThat(ha("list").out()).contains("maintenance mode: on");
        assertThat(ha("pause").out()).isEqualTo("maintenance mode is already on; nothing changed\n");
        JarCli.InJvm refused = ha("switchover", "--candidate", "n2", "--force");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("maintenance mode is on", "pgherd resume");

        JarCli.InJvm resume = ha("resume", "--wait", "5");

        assertThat(resume.exit()).as(resume.toString()).isZero();
        assertThat(resume.out()).startsWith("maintenance mode off");
        assertThat(JSON.readTree(dcs.get(store.keys().config()).orElseThrow().value()).get("pause").asBoolean()).isFalse();
        assertThat(ha("list").out()).doesNotContain("maintenance");
    }

    @Test
    void historyShowsTheRecordedPromotions() throws Exception {
        assertThat(ha("history").out()).isEqualTo("no promotion recorded in cluster " + cluster + "\n");
        store.appendHistory(ClusterJson.read("history", """
                {"leader":"n1","previous_leader":"","reason":"took the key as a running primary","timeline":1,
                 "time":"2030-01-01T00:00:00Z","timeline_ms":{"elected":7000,"promoted":7000,"first_write":7010}}""", HistoryEntry.class));
        store.appendHistory(ClusterJson.read("history", """
                {"leader":"n2","previous_leader":"n1","reason":"failover","timeline":2,"time":"2030-01-02T03:04:05.300Z",
                 "timeline_ms":{"old_primary_last_seen":1000,"key_gone":5800,"elected":5900,"promoted":6300,"first_write":6320},
                 "writes_resumed_after_key_gone_ms":520}""", HistoryEntry.class));

        JarCli.InJvm history = ha("history");

        assertThat(history.exit()).as(history.toString()).isZero();
        assertThat(history.out().lines().toList()).hasSize(3);
        assertThat(history.out()).contains("- -> n1", "took the key as a running primary", "elected +0, promoted +0, first write +10 ms",
                "n1 -> n2", "failover", "520 ms", "last seen +0, key gone +4800, elected +4900, promoted +5300, first write +5320 ms");

        JarCli.InJvm json = ha("history", "--json");
        assertThat(json.exit()).isZero();
        JsonNode events = JSON.readTree(json.out());
        assertThat(events).extracting(e -> e.get("leader").asText()).containsExactly("n1", "n2");
        assertThat(events.get(1).get("writes_resumed_after_key_gone_ms").asLong()).isEqualTo(520);
    }

    @Test
    void badOptionsExitWithTwo() {
        JarCli.InJvm noDcs = pgherd("list", "--dir", io.pgherd.testkit.TestDirectories.create("HaCommandsIT-nocluster").toString());
        JarCli.InJvm badDcs = pgherd("list", "--dcs", "http://127.0.0.1:2181");
        JarCli.InJvm badCluster = ha("list", "--cluster", "a/b");
        JarCli.InJvm badTime = ha("switchover", "--scheduled", "tomorrow", "--force");
        JarCli.InJvm pastTime = ha("switchover", "--scheduled", "2001-01-01T00:00:00Z", "--force");
        JarCli.InJvm badWait = ha("failover", "--wait", "-1", "--force");
        JarCli.InJvm badTimeout = ha("list", "--dcs-timeout", "0");

        assertThat(List.of(noDcs, badDcs, badCluster, badTime, pastTime, badWait, badTimeout)).extracting(JarCli.InJvm::exit)
                .containsOnly(2);
        assertThat(noDcs.err()).contains("--dcs is required: there is no local cluster in");
        assertThat(badDcs.err()).contains("dcs address scheme must be etcd or zookeeper");
        assertThat(badCluster.err()).contains("cluster name must be 1 to 63 letters");
        assertThat(badTime.err()).contains("must be an ISO-8601 time");
        assertThat(pastTime.err()).contains("--scheduled must be in the future");
        assertThat(badWait.err()).contains("--wait must be >= 0 seconds (got -1)");
        assertThat(badTimeout.err()).contains("--dcs-timeout must be >= 1 second (got 0)");
    }

    @Test
    void aDcsThatDoesNotAnswerIsOneLineAndExitOne() {
        JarCli.InJvm r = pgherd("list", "--dcs", "zookeeper://127.0.0.1:" + FreePorts.allocate(), "--cluster", cluster,
                "--dcs-timeout", "1");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("pgherd: the DCS did not answer: ").doesNotContain("Exception").hasLineCount(1);
    }
}
