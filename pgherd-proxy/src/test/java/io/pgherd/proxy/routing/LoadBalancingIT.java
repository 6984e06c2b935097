package io.pgherd.proxy.routing;

import static io.pgherd.proxy.routing.RoutingSql.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * How reads spread over the nodes: in proportion to weight among eligible replicas, to the replica
 * with the fewest requests outstanding when one is busy, and to the primary too (its weighted share)
 * with primary_reads always. Each read reports the port of the server that ran it, so the counts
 * are what clients saw, checked against the proxy's own per-node counts.
 */
@PostgresCluster(standby = true, replicas = 2)
class LoadBalancingIT {
    private static final String EVENTUAL = "  consistency:\n    mode: eventual\n";

    static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
    }

    @Test
    void readsSpreadOverReplicasByWeight() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, EVENTUAL, Map.of("node2", 1, "node3", 3, "node4", 0));
             Connection c = connect(proxy)) {
            Map<String, Long> before = reads(proxy);
            Map<String, Integer> served = readPorts(c, 4_000);
            Map<String, Long> counted = deltas(before, reads(proxy));
            assertThat(counted).as("the proxy's read counts match what clients saw " + served)
                    .isEqualTo(asLongs(served));
            assertThat(served.get("node4")).as("weight 0 gets no reads: " + served).isZero();
            assertThat(served.get("node1")).as("the primary gets no reads while replicas are eligible: " + served).isZero();
            double ratio = (double) served.get("node3") / served.get("node2");
            assertThat(ratio).as("node3 (weight 3) to node2 (weight 1): " + served).isBetween(2.3, 3.9);
        }
    }

    @Test
    void readsGoToTheReplicaWithFewerOutstandingRequests() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, EVENTUAL, Map.of("node2", 1, "node3", 1, "node4", 0));
             Connection longReader = connect(proxy); Connection c = connect(proxy)) {
            // Control: with nothing outstanding, the two replicas share the reads.
            Map<String, Integer> idle = readPorts(c, 200);
            assertThat(idle.get("node2")).as("node2's share while idle: " + idle).isGreaterThan(40);
            assertThat(idle.get("node3")).as("node3's share while idle: " + idle).isGreaterThan(40);

            CompletableFuture<String> longRead = CompletableFuture.supplyAsync(() -> {
                try {
                    return nodeAt(Integer.parseInt(value(longReader, "select inet_server_port() from pg_sleep(5)")));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, executor);
            Await.until("the long read to be outstanding on a replica", Duration.ofSeconds(10),
                    () -> busyReplica(proxy) != null);
            String busy = busyReplica(proxy);
            String other = busy.equals("node2") ? "node3" : "node2";

            Map<String, Integer> meanwhile = readPorts(c, 300);
            assertThat(longRead).as("the short reads must all run while the long one is outstanding").isNotDone();
            assertThat(meanwhile.get(other)).as("short reads while " + busy + " runs a long one: " + meanwhile).isEqualTo(300);
            assertThat(longRead.get(30, TimeUnit.SECONDS)).as("where the long read ran").isEqualTo(busy);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void primaryReadsAlwaysGivesThePrimaryItsWeightedShare() throws Exception {
        String yaml = EVENTUAL + "  routing:\n    primary_reads: always\n";
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, yaml, Map.of("node1", 2, "node2", 1, "node3", 1, "node4", 0));
             Connection c = connect(proxy)) {
            Map<String, Long> before = reads(proxy);
            Map<String, Integer> served = readPorts(c, 4_000);
            assertThat(deltas(before, reads(proxy))).as("the proxy's read counts match what clients saw " + served)
                    .isEqualTo(asLongs(served));
            assertThat(served.get("node4")).as("weight 0 gets no reads: " + served).isZero();
            double primaryShare = served.get("node1") / 4_000.0;
            assertThat(primaryShare).as("the primary's share at weight 2 of 4: " + served).isBetween(0.42, 0.58);
            assertThat(served.get("node2")).as("node2's share at weight 1 of 4: " + served).isBetween(800, 1_200);
            assertThat(served.get("node3")).as("node3's share at weight 1 of 4: " + served).isBetween(800, 1_200);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Connection connect(ProxyFixture proxy) throws SQLException {
        Properties props = new Properties();
        // A lost answer fails the test instead of hanging it.
        props.setProperty("socketTimeout", "60");
        return proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
    }

    /** Runs {@code count} reads one after another; how many each node ran, by the port that answered. */
    private static Map<String, Integer> readPorts(Connection c, int count) throws SQLException {
        Map<String, Integer> served = new TreeMap<>();
        cluster.nodes().forEach(n -> served.put(n.name(), 0));
        try (PreparedStatement read = c.prepareStatement("select inet_server_port()")) {
            for (int i = 0; i < count; i++) {
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    served.merge(nodeAt(rs.getInt(1)), 1, Integer::sum);
                }
            }
        }
        return served;
    }

    private static String nodeAt(int port) {
        for (PostgresNode n : cluster.nodes()) {
            if (n.port() == port) {
                return n.name();
            }
        }
        throw new AssertionError("no node listens on port " + port);
    }

    /** The one replica with exactly one request outstanding while no other node has any, or null. */
    private static String busyReplica(ProxyFixture proxy) {
        List<NodeState> busy = new ArrayList<>();
        for (NodeState n : proxy.proxy().backends().topology().nodes()) {
            if (n.outstanding() > 0) {
                busy.add(n);
            }
        }
        return busy.size() == 1 && !busy.get(0).isPrimary() && busy.get(0).outstanding() == 1 ? busy.get(0).name() : null;
    }

    private static Map<String, Long> reads(ProxyFixture proxy) {
        Map<String, Long> reads = new TreeMap<>();
        for (NodeState n : proxy.proxy().backends().topology().nodes()) {
            reads.put(n.name(), n.reads());
        }
        return reads;
    }

    private static Map<String, Long> deltas(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((name, count) -> d.put(name, count - before.getOrDefault(name, 0L)));
        return d;
    }

    private static Map<String, Long> asLongs(Map<String, Integer> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.longValue()));
        return out;
    }
}
