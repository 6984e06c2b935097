package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.testkit.Await;

/**
 * Parameters PostgreSQL would refuse never take a node down (issue 14, item 1), with agents on real
 * PostgreSQL 15 servers and a real ZooKeeper, one primary and one standby: the agents publish their
 * server's parameter catalogue; {@code PATCH /config} refuses unknown names (with a suggestion) and
 * invalid values before anything is stored; a bad parameter written straight into the DCS is left out
 * of every server's file (the rest of the change applies), reported in the member records, the REST
 * API and the metrics, and a restart (on request, or of a crashed primary) brings the server back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParameterChecksIT {
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
    void theAgentsPublishTheirServersParameters() {
        cluster.awaitHealthy(Duration.ofSeconds(120));
        Await.until("a parameter catalogue in the DCS", CONVERGE, () -> cluster.store().readCatalogue().isPresent());

        ParameterCatalogue catalogue = cluster.store().readCatalogue().orElseThrow();
        assertThat(catalogue.serverVersion()).startsWith("15");
        assertThat(catalogue.parameters().get("shared_buffers"))
                .isEqualTo(new ParameterCatalogue.Parameter("postmaster", "integer", "8kB", "16", "1073741823", List.of()));
        assertThat(catalogue.parameters().get("wal_level").values()).containsExactly("minimal", "replica", "logical");
    }

    @Test
    @Order(2)
    void aPatchWithATypoOrBadValuesIsRefusedListingEveryProblemAndNothingIsWritten() {
        AgentCluster.Member m = cluster.member(cluster.awaitHealthy(CONVERGE));

        HttpResponse<String> r = cluster.send(m, "PATCH", "/config", "{\"postgresql\": {\"parameters\": {\"shared_bufers\": 1,"
                + " \"shared_buffers\": \"1\", \"statement_timeout\": \"5 parsecs\", \"synchronous_commit\": \"always\","
                + " \"enable_seqscan\": \"maybe\", \"work_mem\": \"8MB\"}}}", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).startsWith("pgherd: the configuration was not changed (5 problems):\n").contains(
                "\n  postgresql.parameters.shared_bufers: unknown parameter \"shared_bufers\" in PostgreSQL 15",
                "; did you mean \"shared_buffers\"?",
                "\n  postgresql.parameters.shared_buffers: \"1\" is outside the valid range: 1 is not within 16 .. 1073741823"
                        + " (in units of 8kB)",
                "\n  postgresql.parameters.statement_timeout: invalid value \"5 parsecs\": valid units for this parameter are"
                        + " \"us\", \"ms\", \"s\", \"min\", \"h\", \"d\"",
                "\n  postgresql.parameters.synchronous_commit: invalid value \"always\": must be one of local, remote_write,"
                        + " remote_apply, on, off",
                "\n  postgresql.parameters.enable_seqscan: invalid value \"maybe\": must be a boolean");
        assertThat(cluster.store().readConfig().modRevision()).as("no config key written").isEmpty();
    }

    @Test
    @Order(3)
    void aBadParameterWrittenStraightIntoTheDcsLeavesEveryServerRunningAndIsReported() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);

        // As a script with a DCS client would: no validation on the way.
        cluster.store().patchConfig(JSON.readTree("{\"postgresql\": {\"parameters\": {\"shared_bufers\": \"1\","
                + " \"timezone\": \"Mars/Base\", \"work_mem\": \"9MB\"}}}"), document -> { });

        Await.until("work_mem 9MB on every server (the rest of the change applies)", CONVERGE,
                () -> cluster.members().stream().allMatch(m -> "9MB".equals(show(m, "work_mem"))));
        Await.until("every member reports shared_bufers and timezone rejected", CONVERGE, () -> members().size() == 2
                && members().stream().allMatch(m -> m.rejectedParameters().keySet().equals(Set.of("shared_bufers",
                "timezone"))));
        Member record = members().get(0);
        assertThat(record.rejectedParameters().get("shared_bufers")).contains("did you mean \"shared_buffers\"?");
        assertThat(record.rejectedParameters().get("timezone")).contains("Mars/Base");
        for (AgentCluster.Member m : cluster.members()) {
            assertThat(Files.readString(cluster.dir().resolve(m.name).resolve("data").resolve(PostgresNode.MANAGED_CONF)))
                    .as(m.name + "'s managed file").contains("work_mem = '9MB'").doesNotContain("shared_bufers", "Mars/Base");
            assertThat(fileErrors(m)).as(m.name + ": what PostgreSQL finds wrong in its files").isEmpty();
            assertThat(show(m, "timezone")).isNotEqualTo("Mars/Base");
            JsonNode status = JSON.readTree(cluster.send(m, "GET", "/", null, false).body());
            assertThat(status.path("rejected_parameters").fieldNames()).toIterable().containsExactly("shared_bufers", "timezone");
            assertThat(cluster.send(m, "GET", "/metrics", null, false).body()).contains("\npgherd_config_rejected_parameters{");
            assertThat(cluster.send(m, "GET", "/metrics", null, false).body()).containsPattern(
                    "\\npgherd_config_rejected_parameters\\{[^}]*} 2\\n");
        }
        JsonNode report = JSON.readTree(cluster.send(cluster.member(leader), "GET", "/cluster", null, false).body());
        assertThat(report.path("members")).allSatisfy(m -> assertThat(m.path("rejected_parameters").has("shared_bufers")).isTrue());
    }

    @Test
    @Order(4)
    void aRestartOnRequestAndACrashedPrimaryComeBackInPlace() {
        String leader = cluster.awaitHealthy(CONVERGE);
        String standby = leader.equals("node1") ? "node2" : "node1";
        ClusterState.Leader key = ClusterState.of(cluster.store().read()).leader().orElseThrow();

        HttpResponse<String> restart = cluster.send(cluster.member(standby), "POST", "/restart", null, true);
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(200);
        assertThat(restart.body()).isEqualTo("restarted successfully\n");

        long before = cluster.postmasterPid(cluster.member(leader));
        cluster.killPostgres(cluster.member(leader));
        Await.until("the primary runs again", CONVERGE, () -> cluster.writable().contains(leader)
                && cluster.postmasterPid(cluster.member(leader)) != before);
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(leader);
        assertThat(ClusterState.of(cluster.store().read()).leader()).as("the leader kept its key (same epoch)").contains(key);
        assertThat(cluster.members()).allSatisfy(m -> assertThat(show(m, "work_mem")).isEqualTo("9MB"));
    }

    @Test
    @Order(5)
    void removingTheBadParametersClearsTheReport() throws Exception {
        HttpResponse<String> r = cluster.send(cluster.member(cluster.awaitHealthy(CONVERGE)), "PATCH", "/config",
                "{\"postgresql\": {\"parameters\": {\"shared_bufers\": null, \"timezone\": null}}}", true);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Await.until("no member reports rejected parameters", CONVERGE, () -> members().size() == 2
                && members().stream().allMatch(m -> m.rejectedParameters().isEmpty()));
    }

    private static List<Member> members() {
        return List.copyOf(ClusterState.of(cluster.store().read()).members().values());
    }

    private static String show(AgentCluster.Member m, String parameter) {
        try {
            return cluster.query(m, "SHOW " + parameter).get(0);
        } catch (SQLException e) {
            throw new IllegalStateException("SHOW " + parameter + " on " + m.name + ": " + e.getMessage(), e);
        }
    }

    private static List<String> fileErrors(AgentCluster.Member m) throws SQLException {
        return cluster.query(m, "SELECT name || ': ' || error FROM pg_file_settings WHERE error IS NOT NULL");
    }
}
