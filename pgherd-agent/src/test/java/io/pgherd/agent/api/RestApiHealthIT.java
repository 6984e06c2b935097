package io.pgherd.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.common.config.HostPort;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * The health checks, reports of the member's own state and HTTP plumbing over real HTTP on the
 * loopback interface, for every state a member can be in (built as {@link NodeState} values; the
 * health checks never touch the DCS). Status codes are Patroni's, so HAProxy checks work unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiHealthIT {
    private static final String ME = "n1";
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final long LEADER_POSITION = 50_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger clusters = new AtomicInteger();

    private EmbeddedZooKeeper zooKeeper;
    private Dcs dcs;
    private final AtomicReference<NodeState> state = new AtomicReference<>();
    private ClusterStore store;
    private ApiServer api;
    private ApiClient client;

    @BeforeAll
    void startDcs() {
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("restapi-health-zk"), FreePorts.allocate(), Duration.ofMillis(200));
        dcs = Dcs.connect("zookeeper://127.0.0.1:" + zooKeeper.port(), Duration.ofSeconds(3));
    }

    @AfterAll
    void stopDcs() {
        dcs.close();
        zooKeeper.close();
    }

    @BeforeEach
    void startApi() {
        store = new ClusterStore(dcs, "health" + clusters.incrementAndGet());
        api = ApiServer.start(ME, state::get, store, new HostPort("127.0.0.1", 0), "pgherd", "secret", TTL);
        client = new ApiClient("127.0.0.1", api.port());
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    // ---- the states a member can be in

    /** Named states of member n1, as its agent's last cycle saw them. */
    static NodeState state(String name) {
        long now = System.currentTimeMillis();
        NodeState.Postgres primary = new NodeState.Postgres(true, false, LEADER_POSITION, LEADER_POSITION, 3);
        NodeState.Postgres standby = new NodeState.Postgres(true, true, LEADER_POSITION - 100, LEADER_POSITION - 1000, 3);
        return switch (name) {
            case "primary" -> new NodeState(cluster("n1"), primary, "leading with the key (epoch 7)", now, true);
            case "replica" -> new NodeState(cluster("n2"), standby, "following the leader n2", now, true);
            case "stopped" -> new NodeState(cluster("n2"), NodeState.Postgres.STOPPED, "PostgreSQL is stopped", now, true);
            case "primary-dcs-unreachable" -> new NodeState(cluster("n1"), primary, "the DCS cannot be reached", now, false);
            case "replica-dcs-unreachable" -> new NodeState(cluster("n2"), standby, "the DCS cannot be reached", now, false);
            case "leader-postgres-down" -> new NodeState(cluster("n1"), NodeState.Postgres.STOPPED,
                    "holding the leader key with PostgreSQL stopped", now, true);
            case "primary-without-key" -> new NodeState(cluster("n2"), primary, "n2 holds the leader key: demoting", now, true);
            case "leader-in-recovery" -> new NodeState(cluster("n1"), standby, "holding the leader key while in recovery", now,
                    true);
            case "primary-stale-cycle" -> new NodeState(cluster("n1"), primary, "leading with the key (epoch 7)",
                    now - 2 * TTL.toMillis(), true);
            case "replica-noloadbalance" -> new NodeState(Optional.of(new ClusterState(Optional.of(new ClusterState.Leader("n2", 7)),
                    Map.of(ME, new io.pgherd.cluster.Member(ME, "standby", "streaming", "127.0.0.1", 5432, "", true, true, 3,
                            LEADER_POSITION - 100, LEADER_POSITION - 1000, false, 1, "n2", false, List.of(), true, false)),
                    Optional.of("n1"), LEADER_POSITION, Optional.empty(), Optional.empty(), false)), standby,
                    "following the leader n2", now, true);
            case "before-first-cycle" -> new NodeState(Optional.empty(), NodeState.Postgres.STOPPED, "starting", 0, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Optional<ClusterState> cluster(String leader) {
        return Optional.of(new ClusterState(Optional.of(new ClusterState.Leader(leader, 7)), Map.of(), Optional.of("n1"),
                LEADER_POSITION, Optional.empty(), Optional.empty(), false));
    }

    // ---- status codes

    @ParameterizedTest(name = "{0}: primary {1}, replica {2}, read-only {3}, health {4}, liveness {5}, readiness {6}")
    @CsvSource({
            "primary,                 200, 503, 200, 200, 200, 200",
            "replica,                 503, 200, 200, 200, 200, 200",
            "replica-noloadbalance,   503, 503, 503, 200, 200, 200",
            "stopped,                 503, 503, 503, 503, 200, 503",
            "primary-dcs-unreachable, 503, 503, 503, 200, 200, 503",
            "replica-dcs-unreachable, 503, 200, 200, 200, 200, 200",
            "leader-postgres-down,    503, 503, 503, 503, 200, 503",
            "primary-without-key,     503, 503, 503, 200, 200, 503",
            "leader-in-recovery,      503, 503, 503, 200, 200, 200",
            "primary-stale-cycle,     503, 503, 503, 200, 503, 503",
            "before-first-cycle,      503, 503, 503, 503, 503, 503"
    })
    void everyHealthCheckAnswersPatronisStatusCodeForEachState(String name, int primary, int replica, int readOnly,
                                                                int health, int liveness, int readiness) {
        state.set(state(name));

        assertThat(client.get("/primary").statusCode()).as("/primary").isEqualTo(primary);
        assertThat(client.get("/replica").statusCode()).as("/replica").isEqualTo(replica);
        assertThat(client.get("/read-only").statusCode()).as("/read-only").isEqualTo(readOnly);
        assertThat(client.get("/health").statusCode()).as("/health").isEqualTo(health);
        assertThat(client.get("/liveness").statusCode()).as("/liveness").isEqualTo(liveness);
        assertThat(client.get("/readiness").statusCode()).as("/readiness").isEqualTo(readiness);
    }

    @ParameterizedTest
    @CsvSource({"primary, 200", "replica, 503", "leader-postgres-down, 503", "primary-dcs-unreachable, 503"})
    void primaryAliasesAnswerAsPrimary(String name, int expected) {
        state.set(state(name));

        for (String alias : new String[] {"/", "/master", "/leader", "/read-write"}) {
            assertThat(client.get(alias).statusCode()).as(alias).isEqualTo(expected);
        }
    }

    @Test
    void headAndOptionsAnswerTheSameStatusWithoutABody() {
        state.set(state("primary"));
        assertThat(client.send("HEAD", "/primary", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> options = client.send("OPTIONS", "/", null, null);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.body()).isEmpty();

        state.set(state("replica"));
        assertThat(client.send("HEAD", "/primary", null, null).statusCode()).isEqualTo(503);
        assertThat(client.send("OPTIONS", "/", null, null).statusCode()).isEqualTo(503);
        assertThat(client.send("OPTIONS", "/replica", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void haproxysDefaultHttpchkRequestSeesWhetherThisIsThePrimary() {
        // HAProxy's bare "option httpchk" sends exactly this and expects 200 from the primary only.
        state.set(state("primary"));
        assertThat(rawStatusLine("OPTIONS / HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
        state.set(state("leader-postgres-down"));
        assertThat(rawStatusLine("OPTIONS / HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 503");
        state.set(state("replica"));
        assertThat(rawStatusLine("GET /replica HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    // ---- ?lag=

    @ParameterizedTest(name = "/replica?lag={0} with the replica 1000 bytes behind: {1}")
    @CsvSource({"999, 503", "1000, 200", "1kB, 200", "1MB, 200", "0, 503"})
    void replicaIsSkippedWhileLagExceedsLimit(String lag, int expected) {
        state.set(state("replica"));

        assertThat(client.get("/replica?lag=" + lag).statusCode()).isEqualTo(expected);
        assertThat(client.get("/read-only?lag=" + lag).statusCode()).isEqualTo(expected);
    }

    @Test
    void lagIsMeasuredFromTheReplayedPositionAgainstTheLeadersLastPosition() {
        NodeState.Postgres behind = new NodeState.Postgres(true, true, LEADER_POSITION, LEADER_POSITION - (2 << 20), 3);
        state.set(new NodeState(cluster("n2"), behind, "following the leader n2", System.currentTimeMillis(), true));

        assertThat(client.get("/replica?lag=1MB").statusCode()).as("received is current, replayed is 2 MiB behind")
                .isEqualTo(503);
        assertThat(client.get("/replica?lag=2MB").statusCode()).isEqualTo(200);
        assertThat(client.get("/replica?lag=2097152").statusCode()).isEqualTo(200);
        assertThat(client.get("/replica?lag=2097151").statusCode()).isEqualTo(503);
        assertThat(field(client.get("/replica"), "lag").asLong()).isEqualTo(2 << 20);
    }

    @Test
    void lagLimitDoesNotApplyToThePrimaryOnReadOnly() {
        state.set(state("primary"));

        assertThat(client.get("/read-only?lag=0").statusCode()).isEqualTo(200);
        assertThat(client.get("/replica?lag=1GB").statusCode()).isEqualTo(503);
    }

    @Test
    void anUnknownLeaderPositionCannotProveALagLimit() {
        NodeState replica = state("replica");
        ClusterState noPosition = new ClusterState(Optional.of(new ClusterState.Leader("n2", 7)), Map.of(), Optional.of("n1"),
                0, Optional.empty(), Optional.empty(), false);
        state.set(new NodeState(Optional.of(noPosition), replica.postgres(), replica.decision(), replica.cycleMillis(), true));

        assertThat(client.get("/replica").statusCode()).isEqualTo(200);
        assertThat(client.get("/replica?lag=1GB").statusCode()).isEqualTo(503);
    }

    @Test
    void aMalformedLagIsABadRequest() {
        state.set(state("replica"));

        HttpResponse<String> response = client.get("/replica?lag=lots");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("lag").contains("'lots'");
        assertThat(rawStatusLine("GET /replica?lag=%zz HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    // ---- status documents

    @Test
    void primaryStatusDocumentDescribesTheMember() {
        state.set(state("primary"));

        HttpResponse<String> response = client.get("/primary");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = json(response);
        assertThat(body.path("state").asText()).isEqualTo("running");
        assertThat(body.path("role").asText()).as("Patroni 3's name of the primary's role").isEqualTo("master");
        assertThat(body.path("timeline").asInt()).isEqualTo(3);
        assertThat(body.path("xlog").path("location").asLong()).isEqualTo(LEADER_POSITION);
        assertThat(body.path("name").asText()).isEqualTo(ME);
        assertThat(body.path("leader").asText()).isEqualTo(ME);
        assertThat(body.path("holds_leader_key").asBoolean()).isTrue();
        assertThat(body.path("dcs_reachable").asBoolean()).isTrue();
        assertThat(body.path("decision").asText()).isEqualTo("leading with the key (epoch 7)");
        assertThat(body.path("last_cycle").asText()).isNotEmpty();
    }

    @Test
    void replicaStatusDocumentShowsReceivedAndReplayedPositions() {
        state.set(state("replica"));

        JsonNode body = json(client.get("/replica"));
        assertThat(body.path("role").asText()).isEqualTo("replica");
        assertThat(body.path("xlog").path("received_location").asLong()).isEqualTo(LEADER_POSITION - 100);
        assertThat(body.path("xlog").path("replayed_location").asLong()).isEqualTo(LEADER_POSITION - 1000);
        assertThat(body.path("lag").asLong()).isEqualTo(1000);
        assertThat(body.path("leader").asText()).isEqualTo("n2");
        assertThat(body.path("holds_leader_key").asBoolean()).isFalse();
    }

    @Test
    void failingChecksStillExplainWhy() {
        state.set(state("primary-dcs-unreachable"));
        JsonNode unreachable = json(client.get("/primary"));
        assertThat(unreachable.path("dcs_reachable").asBoolean()).isFalse();
        assertThat(unreachable.path("decision").asText()).isEqualTo("the DCS cannot be reached");

        state.set(state("leader-postgres-down"));
        JsonNode stopped = json(client.get("/primary"));
        assertThat(stopped.path("state").asText()).isEqualTo("stopped");
        assertThat(stopped.path("role").asText()).isEqualTo("unknown");
        assertThat(stopped.has("xlog")).isFalse();

        state.set(state("before-first-cycle"));
        JsonNode starting = json(client.get("/liveness"));
        assertThat(starting.path("last_cycle").isNull()).isTrue();
        assertThat(starting.path("leader").isNull()).isTrue();
    }

    // ---- Patroni 3's endpoints and status document

    /** n1 as the standby the sync key names, or another standby of the same leader. */
    private static NodeState standbyWithSyncKeyNaming(String synchronous) {
        NodeState.Postgres standby = new NodeState.Postgres(true, true, LEADER_POSITION - 100, LEADER_POSITION - 1000, 3);
        return new NodeState(Optional.of(new ClusterState(Optional.of(new ClusterState.Leader("n2", 7)), Map.of(),
                Optional.of("n1"), LEADER_POSITION, Optional.empty(), Optional.of(new ClusterState.Sync("n2", synchronous)), false)),
                standby, "following the leader n2", System.currentTimeMillis(), true);
    }

    @ParameterizedTest(name = "{0}: sync {1}, async {2}, standby-leader {3}, patroni {4}")
    @CsvSource({
            "primary,     503, 503, 503, 200",
            "replica,     503, 200, 503, 200",
            "synchronous, 200, 503, 503, 200",
            "other-sync,  503, 200, 503, 200",
            "stopped,     503, 503, 503, 200"
    })
    void synchronousAsynchronousAndStandbyLeaderAnswerAsPatroni(String name, int sync, int async, int standbyLeader,
                                                                int patroni) {
        state.set(switch (name) {
            case "synchronous" -> standbyWithSyncKeyNaming(ME);
            case "other-sync" -> standbyWithSyncKeyNaming("n3");
            default -> state(name);
        });

        for (String path : new String[] {"/sync", "/synchronous"}) {
            assertThat(client.get(path).statusCode()).as(path).isEqualTo(sync);
        }
        for (String path : new String[] {"/async", "/asynchronous"}) {
            assertThat(client.get(path).statusCode()).as(path).isEqualTo(async);
        }
        assertThat(client.get("/standby-leader").statusCode()).isEqualTo(standbyLeader);
        assertThat(client.get("/patroni").statusCode()).isEqualTo(patroni);
    }

    @Test
    void asynchronousTakesALagLimit() {
        state.set(state("replica"));

        assertThat(client.get("/asynchronous?lag=1000").statusCode()).isEqualTo(200);
        assertThat(client.get("/async?lag=999").statusCode()).isEqualTo(503);
        assertThat(client.get("/async?lag=1MB").statusCode()).isEqualTo(200);
        assertThat(client.get("/async?lag=lots").statusCode()).isEqualTo(400);
    }

    @Test
    void thePatroniDocumentHasPatroni3sFieldsWithoutPostgresFacts() {
        state.set(state("primary"));
        JsonNode primary = json(client.get("/patroni"));
        assertThat(primary.path("state").asText()).isEqualTo("running");
        assertThat(primary.path("role").asText()).isEqualTo("master");
        assertThat(primary.path("xlog").path("location").asLong()).isEqualTo(LEADER_POSITION);
        assertThat(primary.path("timeline").asInt()).isEqualTo(3);
        assertThat(primary.path("patroni").path("scope").asText()).isEqualTo(store.keys().cluster());
        assertThat(primary.path("patroni").path("name").asText()).isEqualTo(ME);
        assertThat(primary.path("dcs_last_seen").asLong()).isPositive();
        assertThat(primary.has("cluster_unlocked")).isFalse();

        state.set(standbyWithSyncKeyNaming(ME));
        JsonNode sync = json(client.get("/patroni"));
        assertThat(sync.path("role").asText()).isEqualTo("replica");
        assertThat(sync.path("sync_standby").asBoolean()).isTrue();

        state.set(new NodeState(Optional.of(new ClusterState(Optional.empty(), Map.of(), Optional.of("n1"), 0, Optional.empty(),
                Optional.empty(), false)), new NodeState.Postgres(true, true, 0, 0, 0), "starting", System.currentTimeMillis(),
                true));
        JsonNode starting = json(client.get("/patroni"));
        assertThat(starting.path("state").asText()).as("running, not answering yet").isEqualTo("starting");
        assertThat(starting.path("cluster_unlocked").asBoolean()).isTrue();
        assertThat(starting.has("xlog")).isFalse();
    }

    @Test
    void theReadOnlyUserReadsButIsRefusedEveryWrite() {
        ApiServer withMonitor = ApiServer.start(ME, state::get, store, Operations.UNAVAILABLE, new HostPort("127.0.0.1", 0),
                "pgherd", "secret", TTL, new ApiServer.Extras("test", Optional::empty,
                        Optional.of(new ApiServer.ReadOnlyUser("monitor", "watch"))));
        try {
            state.set(state("primary"));
            ApiClient monitor = new ApiClient("127.0.0.1", withMonitor.port());
            String asMonitor = ApiClient.basic("monitor", "watch");

            assertThat(monitor.send("GET", "/patroni", null, asMonitor).statusCode()).isEqualTo(200);
            assertThat(monitor.send("GET", "/cluster", null, asMonitor).statusCode()).isEqualTo(200);
            assertThat(monitor.send("GET", "/metrics", null, asMonitor).statusCode()).isEqualTo(200);
            for (String[] write : new String[][] {{"POST", "/switchover", "{\"leader\":\"n1\"}"},
                    {"DELETE", "/switchover", null}, {"POST", "/failover", "{\"candidate\":\"n2\"}"},
                    {"PATCH", "/config", "{\"ttl\":20}"}, {"POST", "/restart", null}, {"POST", "/reload", null},
                    {"POST", "/reinitialize", null}}) {
                HttpResponse<String> refused = monitor.send(write[0], write[1], write[2], asMonitor);
                assertThat(refused.statusCode()).as(write[0] + " " + write[1]).isEqualTo(403);
                assertThat(refused.body()).isEqualTo("pgherd: user monitor may only read; " + write[0] + " " + write[1]
                        + " needs the API user pgherd\n");
            }
            assertThat(monitor.send("POST", "/reload", null, ApiClient.basic("monitor", "wrong")).statusCode())
                    .as("a wrong password is no read-only user").isEqualTo(401);
            assertThat(monitor.send("POST", "/reload", null, ApiClient.basic("pgherd", "secret")).statusCode())
                    .as("the API user still writes").isEqualTo(503);
            assertThat(new ApiServer.ReadOnlyUser("monitor", "watch").toString()).doesNotContain("watch");
        } finally {
            withMonitor.close();
        }
    }

    @Test
    void theReadOnlyUserMustNotBeTheApiUser() {
        assertThatThrownBy(() -> ApiServer.start(ME, state::get, store, Operations.UNAVAILABLE, new HostPort("127.0.0.1", 0),
                "pgherd", "secret", TTL, new ApiServer.Extras("test", Optional::empty,
                        Optional.of(new ApiServer.ReadOnlyUser("pgherd", "watch")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ from the API user pgherd");
    }

    // ---- metrics

    @Test
    void metricsOfThePrimary() {
        state.set(state("primary"));

        HttpResponse<String> response = client.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        String labels = "{cluster=\"" + store.keys().cluster() + "\",member=\"n1\"}";
        assertThat(response.body()).contains(
                "# TYPE pgherd_agent_up gauge\n",
                "pgherd_agent_up" + labels + " 1\n",
                "pgherd_agent_is_leader" + labels + " 1\n",
                "pgherd_agent_postgres_running" + labels + " 1\n",
                "pgherd_agent_in_recovery" + labels + " 0\n",
                "pgherd_agent_timeline" + labels + " 3\n",
                "pgherd_agent_wal_position_bytes" + labels + " " + LEADER_POSITION + "\n",
                "pgherd_agent_dcs_reachable" + labels + " 1\n");
    }

    @Test
    void metricsOfAReplicaAndOfAStoppedAgent() {
        state.set(state("replica"));
        String replica = client.get("/metrics").body();
        assertThat(replica).containsPattern("pgherd_agent_is_leader\\{[^}]*} 0\n")
                .containsPattern("pgherd_agent_in_recovery\\{[^}]*} 1\n")
                .containsPattern("pgherd_agent_wal_position_bytes\\{[^}]*} " + (LEADER_POSITION - 100) + "\n")
                .containsPattern("pgherd_agent_replayed_position_bytes\\{[^}]*} " + (LEADER_POSITION - 1000) + "\n");

        state.set(state("before-first-cycle"));
        String starting = client.get("/metrics").body();
        assertThat(starting).containsPattern("pgherd_agent_up\\{[^}]*} 0\n")
                .containsPattern("pgherd_agent_postgres_running\\{[^}]*} 0\n")
                .containsPattern("pgherd_agent_dcs_reachable\\{[^}]*} 0\n");
    }

    // ---- HTTP plumbing

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() {
        state.set(state("primary"));

        assertThat(client.get("/nope").statusCode()).isEqualTo(404);
        assertThat(client.get("/primary/").statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send("POST", "/primary", "{}", null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD, OPTIONS");
        HttpResponse<String> get = client.get("/switchover");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("DELETE, POST");
        assertThat(client.send("DELETE", "/metrics", null, null).statusCode()).isEqualTo(405);
    }

    @Test
    void listensOnTheConfiguredAddressOnly() throws IOException {
        state.set(state("primary"));
        try (ApiServer other = ApiServer.start(ME, state::get, store, new HostPort("127.0.0.2", 0), "pgherd", "secret", TTL)) {
            assertThat(new ApiClient("127.0.0.2", other.port()).get("/primary").statusCode()).isEqualTo(200);
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", other.port()), 2000))
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void aPortInUseIsReportedWithTheAddress() {
        HostPort taken = new HostPort("127.0.0.1", api.port());

        assertThatThrownBy(() -> ApiServer.start("n9", state::get, store, taken, "pgherd", "secret", TTL))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("n9")
                .hasMessageContaining("127.0.0.1:" + api.port());
    }

    @Test
    void closedApiRefusesConnections() {
        int port = api.port();
        api.close();
        api.close();

        assertThatThrownBy(() -> new ApiClient("127.0.0.1", port).get("/health")).isInstanceOf(UncheckedIOException.class);
    }

    // ---- helpers

    private String rawStatusLine(String request) {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static JsonNode field(HttpResponse<String> response, String name) {
        return json(response).path(name);
    }
}
