package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.testkit.Await;

/**
 * Patroni 3's status document and its synchronous-mode checks on agents running real PostgreSQL in
 * synchronous mode: a leader, its synchronous standby and an asynchronous read replica. What a script
 * written for Patroni reads ({@code curl -s host:8008 | jq .role}, {@code GET /} checked for 200 and role
 * {@code master}) must work unchanged, with Patroni's field names.
 */
class PatroniApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Patroni 3.x's fields of {@code GET /patroni} on a running primary (its rest_api documentation). */
    private static final List<String> PRIMARY_FIELDS = List.of("state", "postmaster_start_time", "role", "server_version",
            "xlog", "timeline", "replication", "dcs_last_seen", "database_system_identifier", "patroni");
    /** ... and on a running replica. */
    private static final List<String> REPLICA_FIELDS = List.of("state", "postmaster_start_time", "role", "server_version",
            "xlog", "timeline", "replication_state", "dcs_last_seen", "database_system_identifier", "patroni");
    private static AgentCluster cluster;

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(2, 1, true);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void thePatroniEndpointsAnswerLikePatroni3OnTheLeaderItsSynchronousStandbyAndAnAsynchronousReplica() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(180));
        AtomicReference<String> synchronous = new AtomicReference<>();
        Await.until("a synchronous standby named and streaming in sync", Duration.ofSeconds(120), () -> {
            Optional<String> named = ClusterState.of(cluster.store().read()).synchronousStandby();
            named.ifPresent(synchronous::set);
            return named.isPresent() && cluster.get(cluster.member(named.get()), "/sync") == 200;
        });
        String sync = synchronous.get();
        String async = cluster.members().stream().map(m -> m.name).filter(n -> !n.equals(leader) && !n.equals(sync))
                .findFirst().orElseThrow();

        // The leader: GET / is Patroni's primary check, and its body what scripts read.
        HttpResponse<String> root = get(leader, "/");
        assertThat(root.statusCode()).isEqualTo(200);
        JsonNode primary = JSON.readTree(root.body());
        assertThat(primary.path("role").asText()).isEqualTo("master");
        assertThat(primary.path("state").asText()).isEqualTo("running");
        assertThat(fields(primary)).as("Patroni's fields").containsAll(PRIMARY_FIELDS);
        assertThat(primary.path("xlog").path("location").asLong()).isPositive();
        assertThat(primary.path("server_version").asInt()).isGreaterThanOrEqualTo(150000);
        assertThat(primary.path("postmaster_start_time").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} .+");
        assertThat(primary.path("database_system_identifier").asText()).matches("\\d{15,20}");
        assertThat(primary.path("patroni").path("scope").asText()).isEqualTo("test");
        assertThat(primary.path("patroni").path("name").asText()).isEqualTo(leader);
        assertThat(primary.path("patroni").has("version")).isTrue();
        assertThat(primary.path("replication")).hasSize(2);
        assertThat(primary.path("replication").findValuesAsText("application_name")).containsExactlyInAnyOrder(sync, async);
        assertThat(primary.path("replication").findValuesAsText("sync_state")).containsExactlyInAnyOrder("sync", "async");
        assertThat(primary.path("replication").get(0).has("usename")).isTrue();
        assertThat(primary.path("replication").get(0).has("client_addr")).isTrue();
        assertThat(primary.path("replication").get(0).has("sync_priority")).isTrue();
        assertThat(primary.has("cluster_unlocked")).isFalse();
        assertThat(primary.path("dcs_last_seen").asLong()).isGreaterThan(System.currentTimeMillis() / 1000 - 60);
        HttpResponse<String> patroni = get(leader, "/patroni");
        assertThat(patroni.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(patroni.body()).path("role").asText()).isEqualTo("master");

        // The synchronous standby.
        JsonNode standby = JSON.readTree(get(sync, "/patroni").body());
        assertThat(standby.path("role").asText()).isEqualTo("replica");
        assertThat(fields(standby)).as("Patroni's fields").containsAll(REPLICA_FIELDS);
        assertThat(standby.path("xlog").has("received_location")).isTrue();
        assertThat(standby.path("xlog").has("replayed_location")).isTrue();
        assertThat(standby.path("xlog").has("replayed_timestamp")).isTrue();
        assertThat(standby.path("xlog").path("paused").asBoolean(true)).isFalse();
        assertThat(standby.path("replication_state").asText()).isEqualTo("streaming");
        assertThat(standby.path("sync_standby").asBoolean()).isTrue();
        assertThat(standby.has("replication")).isFalse();
        assertThat(JSON.readTree(get(async, "/patroni").body()).has("sync_standby")).isFalse();

        // Patroni's status codes, member by member.
        for (String[] row : new String[][] {
                // path, leader, synchronous standby, asynchronous replica
                {"/", "200", "503", "503"},
                {"/read-write", "200", "503", "503"},
                {"/patroni", "200", "200", "200"},
                {"/sync", "503", "200", "503"},
                {"/synchronous", "503", "200", "503"},
                {"/async", "503", "503", "200"},
                {"/asynchronous", "503", "503", "200"},
                {"/asynchronous?lag=1GB", "503", "503", "200"},
                {"/standby-leader", "503", "503", "503"},
        }) {
            assertThat(List.of(code(leader, row[0]), code(sync, row[0]), code(async, row[0])))
                    .as(row[0] + " on " + leader + ", " + sync + ", " + async)
                    .containsExactly(Integer.parseInt(row[1]), Integer.parseInt(row[2]), Integer.parseInt(row[3]));
        }
    }

    private static HttpResponse<String> get(String member, String path) {
        return cluster.send(cluster.member(member), "GET", path, null, false);
    }

    private static int code(String member, String path) {
        return cluster.get(cluster.member(member), path);
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
