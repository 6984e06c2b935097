package io.pgherd.proxy.routing;

import static io.pgherd.proxy.routing.RoutingSql.awaitReplayed;
import static io.pgherd.proxy.routing.RoutingSql.execute;
import static io.pgherd.proxy.routing.RoutingSql.onNode;
import static io.pgherd.proxy.routing.RoutingSql.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * Consistency of reads sent to replicas: a client reads its own writes, a causal token handed to
 * another connection makes that connection's reads see the commit, and strong reads see every
 * commit before them, while one replica applies WAL seconds late (and stays eligible: the lag limits
 * are generous, so these tests are about consistency, not exclusion). Controls show the same reads
 * do miss rows when consistency is not asked for, so the assertions can fail.
 */
@PostgresCluster(standby = true, replicas = 2)
class ConsistencyIT {
    private static final List<String> READERS = List.of("node2", "node3", "node4");
    private static final String DELAYED = "node4";
    private static final AtomicLong IDS = new AtomicLong();

    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, "create table written (id bigint primary key, writer text not null)");
        }
        for (String reader : READERS) {
            awaitReplayed(cluster, reader);
        }
        proxy = ProxyFixture.startSplit(cluster, ""
                + "  routing:\n"
                + "    max_replica_lag: 60s\n"
                + "    max_replica_lag_bytes: 1073741824\n"
                + "  consistency:\n"
                + "    mode: read-your-writes\n"
                + "    max_wait: 50ms\n");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aClientAlwaysReadsItsOwnInsertWhileAReplicaAppliesWalLate() throws Exception {
        delayReplay(DELAYED, "3s");
        try {
            Map<String, Long> before = reads();
            List<Long> missed = new ArrayList<>();
            List<String> delayedIneligible = new ArrayList<>();
            try (Connection c = connect();
                 PreparedStatement insert = c.prepareStatement("insert into written values (?, 'own')");
                 PreparedStatement select = c.prepareStatement("select writer from written where id = ?")) {
                for (int i = 0; i < 10_000; i++) {
                    long id = IDS.incrementAndGet();
                    insert.setLong(1, id);
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                    select.setLong(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            missed.add(id);
                        }
                    }
                    if (i % 500 == 0 && whyNoReads(DELAYED) != null) {
                        delayedIneligible.add("iteration " + i + ": " + whyNoReads(DELAYED));
                    }
                }
            }
            assertThat(missed).as("rows a client inserted and did not find on its next read").isEmpty();
            assertThat(delayedIneligible).as("the delayed replica must stay eligible, or the test proves nothing").isEmpty();
            long replicaReads = delta(before, reads(), READERS);
            assertThat(replicaReads).as("reads served by replicas (not everything sent to the primary); per node: "
                    + deltas(before, reads())).isGreaterThan(5_000);
        } finally {
            undelayReplay(DELAYED);
        }
    }

    @Test
    void aCausalTokenHandedToAnotherConnectionMakesItsReadsSeeTheCommit() throws Exception {
        delayReplay(DELAYED, "3s");
        try {
            Map<String, Long> before = reads();
            List<Long> missed = new ArrayList<>();
            try (Connection a = connect(); Connection b = connect();
                 PreparedStatement insert = a.prepareStatement("insert into written values (?, 'a')");
                 PreparedStatement select = b.prepareStatement("select writer from written where id = ?")) {
                for (int i = 0; i < 2_000; i++) {
                    long id = IDS.incrementAndGet();
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    String token = value(a, "show pgherd.causal_token");
                    execute(b, "set pgherd.causal_token = '" + token + "'");
                    select.setLong(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            missed.add(id);
                        }
                    }
                }
            }
            assertThat(missed).as("rows connection B did not find after taking A's causal token").isEmpty();
            assertThat(delta(before, reads(), READERS)).as("reads served by replicas; per node: " + deltas(before, reads()))
                    .isGreaterThan(1_000);
        } finally {
            undelayReplay(DELAYED);
        }
    }

    /**
     * The token set is what holds B's reads back: one no replica has reached yet (1 GB beyond the
     * primary's WAL) sends every read to the primary once max_wait has passed, while the same reads
     * without it go to replicas. (SET itself goes to the primary and gives B a fresh token of its
     * own, so the loop above would pass even if SET pgherd.causal_token were ignored; this cannot.)
     */
    @Test
    void aCausalTokenSetOnAConnectionHoldsItsReadsToThatPosition() throws Exception {
        String future;
        try (Connection direct = cluster.connect(cluster.primary())) {
            future = value(direct, "select (pg_current_wal_lsn() + 1073741824)::text");
        }
        NodeState primary = node("node1");
        try (Connection b = connect(); Connection control = connect()) {
            execute(control, "set pgherd.causal_token = '0/1'");
            Map<String, Long> before = reads();
            for (int i = 0; i < 50; i++) {
                assertThat(value(control, "select count(*) >= 0 from written")).isEqualTo("t");
            }
            assertThat(delta(before, reads(), READERS)).as("reads without a far token go to replicas; per node: "
                    + deltas(before, reads())).isGreaterThanOrEqualTo(45);

            execute(b, "set pgherd.causal_token = '" + future + "'");
            before = reads();
            long primaryBefore = primary.reads();
            for (int i = 0; i < 20; i++) {
                assertThat(value(b, "select count(*) >= 0 from written")).isEqualTo("t");
            }
            assertThat(primary.reads() - primaryBefore).as("reads held to a position no replica reached run on the"
                    + " primary; per node: " + deltas(before, reads())).isEqualTo(20);
            assertThat(delta(before, reads(), READERS)).isZero();
        }
    }

    /**
     * The control that shows the other tests can fail: with replay paused on every replica, an
     * eventual read right after an insert misses the row, and a read-your-writes read finds it (on
     * the primary, after waiting max_wait for a replica to catch up).
     */
    @Test
    void withReplayPausedEventualReadsMissTheRowAndReadYourWritesFindIt() throws Exception {
        for (String reader : READERS) {
            onNode(cluster, reader, "select pg_wal_replay_pause()");
        }
        try {
            NodeState primary = node("node1");
            try (Connection eventual = connect(); Connection ryw = connect()) {
                execute(eventual, "set pgherd.consistency = 'eventual'");
                assertThat(value(eventual, "show pgherd.consistency")).isEqualTo("eventual");
                for (int i = 0; i < 5; i++) {
                    for (String reader : READERS) {
                        assertThat(whyNoReads(reader)).as(reader + " must stay eligible while paused").isNull();
                    }
                    long id = IDS.incrementAndGet();
                    execute(eventual, "insert into written values (" + id + ", 'eventual')");
                    assertThat(value(eventual, "select count(*) from written where id = " + id))
                            .as("an eventual read on a paused replica does not see the insert").isEqualTo("0");
                }
                long primaryBefore = primary.reads();
                for (int i = 0; i < 5; i++) {
                    long id = IDS.incrementAndGet();
                    execute(ryw, "insert into written values (" + id + ", 'ryw')");
                    assertThat(value(ryw, "select count(*) from written where id = " + id))
                            .as("a read-your-writes read sees its insert").isEqualTo("1");
                }
                assertThat(primary.reads() - primaryBefore).as("read-your-writes reads fell back to the primary").isEqualTo(5);
            }
        } finally {
            for (String reader : READERS) {
                onNode(cluster, reader, "select pg_wal_replay_resume()");
            }
            for (String reader : READERS) {
                awaitReplayed(cluster, reader);
            }
        }
    }

    @Test
    void strongReadsOnAnotherConnectionSeeEveryEarlierCommit() throws Exception {
        delayReplay(DELAYED, "3s");
        try {
            try (Connection a = connect(); Connection plain = connect()) {
                // Control: a connection that never wrote and holds no token reads anywhere, the delayed replica too.
                int misses = 0;
                for (int i = 0; i < 300 && misses == 0; i++) {
                    long id = IDS.incrementAndGet();
                    execute(a, "insert into written values (" + id + ", 'a')");
                    if (value(plain, "select count(*) from written where id = " + id).equals("0")) {
                        misses++;
                    }
                }
                assertThat(misses).as("a read without token or strong mode misses a fresh commit at least once").isPositive();
            }
            Map<String, Long> before = reads();
            List<Long> missed = new ArrayList<>();
            try (Connection a = connect(); Connection b = connect();
                 PreparedStatement insert = a.prepareStatement("insert into written values (?, 'a')");
                 PreparedStatement select = b.prepareStatement("select writer from written where id = ?")) {
                execute(b, "set pgherd.consistency = 'strong'");
                for (int i = 0; i < 500; i++) {
                    long id = IDS.incrementAndGet();
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    select.setLong(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            missed.add(id);
                        }
                    }
                }
            }
            assertThat(missed).as("rows another connection committed that a strong read did not find").isEmpty();
            assertThat(delta(before, reads(), READERS)).as("strong reads served by replicas; per node: "
                    + deltas(before, reads())).isGreaterThan(250);
        } finally {
            undelayReplay(DELAYED);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Connection connect() throws SQLException {
        Properties props = new Properties();
        // A lost answer fails the test instead of hanging it.
        props.setProperty("socketTimeout", "60");
        return proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
    }

    private static NodeState node(String name) {
        return proxy.proxy().backends().topology().node(name);
    }

    private static String whyNoReads(String name) {
        return proxy.proxy().backends().topology().whyNoReads(node(name), proxy.proxy().config());
    }

    private static Map<String, Long> reads() {
        Map<String, Long> reads = new HashMap<>();
        for (NodeState n : proxy.proxy().backends().topology().nodes()) {
            reads.put(n.name(), n.reads());
        }
        return reads;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, List<String> nodes) {
        return nodes.stream().mapToLong(n -> after.get(n) - before.get(n)).sum();
    }

    private static Map<String, Long> deltas(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new java.util.TreeMap<>();
        after.forEach((name, count) -> d.put(name, count - before.getOrDefault(name, 0L)));
        return d;
    }

    /** Makes {@code name} apply WAL {@code delay} late, and waits until a commit on the primary is seen late there. */
    private static void delayReplay(String name, String delay) throws SQLException {
        PostgresNode delayed = cluster.node(name);
        try (Connection c = cluster.connect(delayed)) {
            execute(c, "alter system set recovery_min_apply_delay = '" + delay + "'");
            execute(c, "select pg_reload_conf()");
        }
        Await.until(name + " to apply a fresh commit late", Duration.ofSeconds(20), () -> {
            long id = IDS.incrementAndGet();
            try (Connection primary = cluster.connect(cluster.primary())) {
                execute(primary, "insert into written values (" + id + ", 'probe')");
            }
            try (Connection c = cluster.connect(delayed)) {
                return value(c, "select count(*) from written where id = " + id).equals("0");
            }
        });
    }

    private static void undelayReplay(String name) throws SQLException {
        onNode(cluster, name, "alter system reset recovery_min_apply_delay");
        onNode(cluster, name, "select pg_reload_conf()");
        awaitReplayed(cluster, name);
    }
}
