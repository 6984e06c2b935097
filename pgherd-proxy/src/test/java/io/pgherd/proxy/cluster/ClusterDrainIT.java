package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Session;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.proxy.topology.Topology;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TestDirectories;

/**
 * Draining a read replica from the DCS, as the controller does before it removes one, on a real etcd and real
 * PostgreSQL servers (the test plays the agents' and the controller's part in the DCS): a read running on the
 * member when its assignment says {@code draining} completes there; new reads go to the other replica; the
 * proxy's record says it drains the member and runs 1 read there, then 0, which is what the controller waits
 * for. An operator's DRAIN is kept apart from the cluster's: the cluster's end of the drain does not end it. A new
 * replica whose assignment says {@code ready: false} takes no reads until it says true.
 */
@PostgresCluster(standby = false, replicas = 2)
class ClusterDrainIT {
    private static final ClusterKeys KEYS = new ClusterKeys("it");
    private static final String NAME = "it-proxy";
    private static final Duration WAIT = Duration.ofSeconds(30);

    static LocalCluster cluster;
    static EtcdServer etcd;
    static Dcs dcs;
    static ClusterStore store;
    static final Map<String, Session> agents = new HashMap<>();
    static ProxyFixture proxy;
    static final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
        etcd = EtcdServer.start(TestDirectories.create("ClusterDrainIT-etcd"));
        dcs = Dcs.connect(DcsAddress.parse(etcd.url()), Duration.ofSeconds(10));
        store = new ClusterStore(dcs, KEYS.cluster());
        Await.success("etcd takes the cluster's config", WAIT, () -> {
            dcs.put(KEYS.config(), "{\"ttl\": 5}");
            return true;
        });
        for (PostgresNode node : cluster.nodes()) {
            Session session = dcs.openSession(Duration.ofSeconds(5));
            agents.put(node.name(), session);
            boolean primary = node == cluster.primary();
            dcs.putEphemeral(KEYS.member(node.name()), "{\"name\": \"" + node.name() + "\", \"host\": \"127.0.0.1\", \"port\": "
                    + node.port() + ", \"running\": true, \"in_recovery\": " + !primary + ", \"no_failover\": " + !primary + "}",
                    session);
        }
        dcs.createEphemeral(KEYS.leader(), cluster.primary().name(), agents.get(cluster.primary().name())).orElseThrow();
        proxy = ProxyFixture.startSplit(cluster, "  cluster:\n    dcs: " + etcd.url() + "\n    name: it\n    proxy_name: " + NAME + "\n");
        Await.until("the proxy confirmed the leader", WAIT, () -> proxy.proxy().writes().isOpen());
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
        agents.values().forEach(Session::close);
        if (dcs != null) {
            dcs.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aReadRunningOnADrainingMemberCompletesNewReadsGoElsewhereAndTheProxySaysWhenNoneIsLeft() throws Exception {
        Set<Integer> replicaPorts = Set.of(cluster.followers().get(0).port(), cluster.followers().get(1).port());
        try (Connection reader = proxy.connect("postgres"); Connection sleeper = proxy.connect("postgres")) {
            Await.until("reads reach both replicas", WAIT, () -> readPorts(reader, 40).containsAll(replicaPorts));
            Await.until("the proxy says it runs no read", WAIT, () -> record().map(r -> r.reads() != null
                    && r.reads().isEmpty()).orElse(false));

            Future<Integer> longRead = clients.submit(() -> {
                try (Statement s = sleeper.createStatement();
                     ResultSet rs = s.executeQuery("select inet_server_port() from pg_sleep(3)")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            AtomicReference<NodeState> running = new AtomicReference<>();
            Await.until("the long read runs on a replica", WAIT, () -> {
                proxy.proxy().backends().topology().nodes().stream().filter(n -> !n.isPrimary() && n.outstanding() == 1)
                        .findFirst().ifPresent(running::set);
                return running.get() != null;
            });
            NodeState busy = running.get();
            PostgresNode drained = cluster.nodes().stream().filter(n -> n.name().equals(busy.name())).findFirst().orElseThrow();
            PostgresNode other = cluster.followers().stream().filter(n -> n != drained).findFirst().orElseThrow();

            store.putAssignment(Assignment.of(drained.name(), Assignment.Role.REPLICA, true, "t-1", 1));
            Await.until("the proxy drains " + drained.name(), WAIT, () -> busy.draining());
            Await.until("the proxy's record says it drains " + drained.name() + " and runs 1 read there", WAIT,
                    () -> record().map(r -> r.draining().contains(drained.name()) && r.readsOn(drained.name()).orElse(-1) == 1)
                            .orElse(false));
            assertThat(record().orElseThrow().drained(drained.name())).as("not done while the read runs").isFalse();
            assertThat(longRead.isDone()).as("the long read still runs").isFalse();
            assertThat(readPorts(reader, 30)).as("where new reads went while " + drained.name() + " drains")
                    .containsOnly(other.port());
            assertThat(showNodes(drained.name(), "state")).isEqualTo("draining");
            assertThat(showNodes(drained.name(), "why_not")).isEqualTo(Topology.DRAINED_BY_CLUSTER);

            assertThat(longRead.get(30, TimeUnit.SECONDS)).as("the long read completed where it ran").isEqualTo(drained.port());
            Await.until("the proxy's record says no read runs on " + drained.name() + " any more", WAIT,
                    () -> record().map(r -> r.drained(drained.name())).orElse(false));

            // An operator drains it too: the cluster's end of the drain leaves the operator's in place.
            admin("DRAIN " + drained.name());
            store.deleteAssignment(drained.name());
            Await.until("the proxy's record no longer says it drains " + drained.name(), WAIT,
                    () -> record().map(r -> !r.draining().contains(drained.name())).orElse(false));
            assertThat(busy.drainedByCluster()).isFalse();
            assertThat(showNodes(drained.name(), "why_not")).as("the operator's DRAIN stays").isEqualTo("draining");
            assertThat(readPorts(reader, 20)).containsOnly(other.port());
            admin("UNDRAIN " + drained.name());
            Await.until("reads reach " + drained.name() + " again", WAIT, () -> readPorts(reader, 40).contains(drained.port()));
        }
    }

    @Test
    void aNewReplicaTakesNoReadsUntilItsAssignmentSaysItIsReady() throws Exception {
        PostgresNode fresh = cluster.followers().get(0);
        PostgresNode other = cluster.followers().get(1);
        try (Connection reader = proxy.connect("postgres")) {
            Await.until("reads reach both replicas", WAIT,
                    () -> readPorts(reader, 40).containsAll(Set.of(fresh.port(), other.port())));

            store.putAssignment(Assignment.of(fresh.name(), Assignment.Role.REPLICA, false, "t-2", 1).withCloneFrom(other.name())
                    .withReady(false));
            Await.until("SHOW NODES says " + fresh.name() + " is not ready", WAIT,
                    () -> ReplicaReadiness.NOT_READY.equals(showNodes(fresh.name(), "why_not")));
            assertThat(showNodes(fresh.name(), "eligible")).isEqualTo("false");
            assertThat(readPorts(reader, 30)).as("where reads went while " + fresh.name() + " is not ready")
                    .containsOnly(other.port());

            store.putAssignment(Assignment.of(fresh.name(), Assignment.Role.REPLICA, false, "t-2", 1).withCloneFrom(other.name())
                    .withReady(true));
            Await.until("reads reach " + fresh.name() + " once it is ready", WAIT,
                    () -> readPorts(reader, 40).contains(fresh.port()));
            assertThat(showNodes(fresh.name(), "why_not")).isEmpty();
        } finally {
            store.deleteAssignment(fresh.name());
        }
    }

    private static Optional<ProxyRecord> record() {
        return store.proxies().stream().filter(r -> r.name().equals(NAME)).findFirst();
    }

    /** The ports of the servers that ran {@code count} reads through {@code c}. */
    private static Set<Integer> readPorts(Connection c, int count) throws SQLException {
        Set<Integer> ports = new HashSet<>();
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < count; i++) {
                try (ResultSet rs = s.executeQuery("select inet_server_port()")) {
                    rs.next();
                    ports.add(rs.getInt(1));
                }
            }
        }
        return ports;
    }

    private static Connection adminConnection() throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        return proxy.connect("postgres", proxy.superuserPassword(), "pgherd", simple);
    }

    private static void admin(String command) throws SQLException {
        try (Connection admin = adminConnection(); Statement s = admin.createStatement()) {
            s.execute(command);
        }
    }

    private static String showNodes(String node, String column) throws SQLException {
        try (Connection admin = adminConnection(); Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SHOW NODES")) {
            while (rs.next()) {
                if (rs.getString("node").equals(node)) {
                    return rs.getString(column);
                }
            }
        }
        throw new AssertionError("SHOW NODES lists no " + node);
    }
}
