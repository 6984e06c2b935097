package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Member;
import io.pgherd.testkit.Await;

/**
 * The dynamic configuration, restart, reload and reinitialize through the REST API of agents on
 * real PostgreSQL servers and a real ZooKeeper: one primary and one standby. A reloadable parameter
 * reaches every server without a restart, a restart-only one is published as pending until the
 * member restarts (the leader keeps its key), the DCS's timings replace the files', and a standby
 * is cloned again on request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DynamicConfigIT {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentCluster cluster;

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(2, 0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void writingEndpointsRefuseRequestsWithoutCredentials() {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(120));
        AgentCluster.Member m = cluster.member(leader);

        assertThat(cluster.send(m, "PATCH", "/config", "{\"ttl\": 20}", false).statusCode()).isEqualTo(401);
        assertThat(cluster.send(m, "POST", "/restart", null, false).statusCode()).isEqualTo(401);
        assertThat(cluster.send(m, "POST", "/reload", null, false).statusCode()).isEqualTo(401);
        assertThat(cluster.send(m, "POST", "/reinitialize", null, false).statusCode()).isEqualTo(401);
        assertThat(cluster.store().readConfig().modRevision()).as("no config key written").isEmpty();
    }

    @Test
    @Order(2)
    void aBadPatchIs400ListingEveryProblem() {
        AgentCluster.Member m = cluster.member(cluster.awaitHealthy(CONVERGE));

        HttpResponse<String> r = cluster.send(m, "PATCH", "/config", "{\"ttl\": \"x\", \"loop_wait\": 0, \"postgresql\":"
                + " {\"parameters\": {\"port\": 1, \"hba_file\": \"/tmp/hba\", \"work_mem\": \"8MB\"}}}", true);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("pgherd: the configuration was not changed (4 problems):\n")
                .contains("\n  ttl: ", "\n  loop_wait: must be at least 100ms", "\n  postgresql.parameters.port: is managed by pgherd",
                        "\n  postgresql.parameters.hba_file: is managed by pgherd");
        assertThat(cluster.store().readConfig().modRevision()).isEmpty();
    }

    @Test
    @Order(3)
    void aReloadableParameterReachesEveryServerWithoutARestart() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);
        Map<String, String> started = startTimes();

        HttpResponse<String> r = cluster.send(cluster.member(leader), "PATCH", "/config",
                "{\"postgresql\": {\"parameters\": {\"work_mem\": \"7MB\"}}}", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("postgresql").path("parameters").path("work_mem").asText()).isEqualTo("7MB");
        Await.until("work_mem 7MB on every server", CONVERGE, () -> cluster.members().stream()
                .allMatch(m -> "7MB".equals(show(m, "work_mem"))));
        assertThat(startTimes()).as("no server restarted").isEqualTo(started);
        assertThat(members()).allSatisfy(m -> assertThat(m.pendingRestart()).isFalse());
    }

    @Test
    @Order(4)
    void aRestartOnlyParameterIsPendingUntilEachMemberRestartsAndTheLeaderKeepsItsKey() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);
        String standby = other(leader);
        ClusterState.Leader key = ClusterState.of(cluster.store().read()).leader().orElseThrow();
        assertThat(cluster.send(cluster.member(leader), "POST", "/restart", "{\"restart_pending\": true}", true).body())
                .as("nothing pending yet").contains("no restart is pending");

        HttpResponse<String> patch = cluster.send(cluster.member(standby), "PATCH", "/config",
                "{\"postgresql\": {\"parameters\": {\"shared_buffers\": \"80MB\"}}}", true);

        assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
        Await.until("both members publish a pending restart for shared_buffers", CONVERGE, () -> members().size() == 2
                && members().stream().allMatch(m -> m.pendingRestart() && m.pendingRestartParameters().contains("shared_buffers")));
        JsonNode status = JSON.readTree(cluster.send(cluster.member(standby), "GET", "/", null, false).body());
        assertThat(status.path("pending_restart").asBoolean()).isTrue();
        assertThat(status.path("pending_restart_parameters").toString()).contains("shared_buffers");
        JsonNode report = JSON.readTree(cluster.send(cluster.member(leader), "GET", "/cluster", null, false).body());
        assertThat(report.path("members")).allSatisfy(m -> assertThat(m.path("pending_restart").asBoolean()).isTrue());
        assertThat(show(cluster.member(leader), "shared_buffers")).isEqualTo("64MB");

        for (String member : List.of(standby, leader)) {
            HttpResponse<String> restart = cluster.send(cluster.member(member), "POST", "/restart", "{\"restart_pending\": true}",
                    true);
            assertThat(restart.statusCode()).as(member + ": " + restart.body()).isEqualTo(200);
            assertThat(restart.body()).isEqualTo("restarted successfully\n");
        }

        Await.until("no member publishes a pending restart", CONVERGE,
                () -> members().size() == 2 && members().stream().noneMatch(Member::pendingRestart));
        assertThat(cluster.members()).allSatisfy(m -> assertThat(show(m, "shared_buffers")).isEqualTo("80MB"));
        assertThat(ClusterState.of(cluster.store().read()).leader()).as("the leader kept its key (same epoch)").contains(key);
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(leader);
    }

    @Test
    @Order(5)
    void timingsInTheDcsReplaceTheFilesUntilRemoved() {
        String leader = cluster.awaitHealthy(CONVERGE);

        HttpResponse<String> set = cluster.send(cluster.member(leader), "PATCH", "/config",
                "{\"ttl\": \"6s\", \"loop_wait\": \"1s\", \"retry_timeout\": \"1s\", \"maximum_lag_on_failover\": 4096}", true);

        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        DynamicConfig.Timings dcs = new DynamicConfig.Timings(Duration.ofSeconds(6), Duration.ofSeconds(1), Duration.ofSeconds(1),
                4096);
        Await.until("every agent runs with the DCS's timings", CONVERGE,
                () -> cluster.members().stream().allMatch(m -> m.agent.timings().equals(dcs)));

        cluster.send(cluster.member(leader), "PATCH", "/config",
                "{\"ttl\": null, \"loop_wait\": null, \"retry_timeout\": null, \"maximum_lag_on_failover\": null}", true);

        DynamicConfig.Timings file = cluster.member(leader).config.timings();
        Await.until("every agent runs with its file's timings again", CONVERGE,
                () -> cluster.members().stream().allMatch(m -> m.agent.timings().equals(file)));
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(leader);
    }

    @Test
    @Order(6)
    void theLeaderRefusesToReinitializeAndAStandbyIsClonedAgain() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);
        String standby = other(leader);

        HttpResponse<String> refused = cluster.send(cluster.member(leader), "POST", "/reinitialize", null, true);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).isEqualTo("pgherd: I am the leader, can not reinitialize\n");

        Path marker = cluster.dir().resolve(standby).resolve("data").resolve("left-by-DynamicConfigIT");
        Files.writeString(marker, "a file a fresh clone does not have");
        HttpResponse<String> started = cluster.send(cluster.member(standby), "POST", "/reinitialize", null, true);

        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(started.body()).isEqualTo("reinitialize started (cloning again from " + leader + ")\n");
        Await.until(standby + " cloned again and streaming from " + leader, CONVERGE,
                () -> !Files.exists(marker) && cluster.streamingFrom(cluster.member(standby), leader));
        assertThat(show(cluster.member(standby), "shared_buffers")).as("the clone runs with the dynamic configuration")
                .isEqualTo("80MB");
        assertThat(show(cluster.member(standby), "work_mem")).isEqualTo("7MB");
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(leader);
    }

    private static String other(String member) {
        return member.equals("node1") ? "node2" : "node1";
    }

    private static List<Member> members() {
        return List.copyOf(ClusterState.of(cluster.store().read()).members().values());
    }

    private static String show(AgentCluster.Member m, String parameter) {
        try {
            return cluster.query(m, "SHOW " + parameter).get(0);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("SHOW " + parameter + " on " + m.name + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> startTimes() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (AgentCluster.Member m : cluster.members()) {
            out.put(m.name, cluster.query(m, "SELECT pg_postmaster_start_time()::text").get(0));
        }
        return out;
    }
}
