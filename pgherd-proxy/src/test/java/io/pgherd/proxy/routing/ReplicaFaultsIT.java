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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * Replicas that die, stop, lose connections or fall behind while clients read through the proxy:
 * the proxy takes them out of rotation without any statement failing, sends their reads elsewhere,
 * and takes them back once a health check finds them well again.
 */
@PostgresCluster(standby = true, replicas = 2)
class ReplicaFaultsIT {
    private static final int CLIENTS = 8;
    private static final AtomicLong IDS = new AtomicLong();

    static LocalCluster cluster;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, "create table items (id bigint primary key, payload text not null)");
            execute(direct, "insert into items select g, 'item ' || g from generate_series(1, 1000) g");
            execute(direct, "create table filler (id bigint, payload text)");
        }
        for (PostgresNode follower : cluster.followers()) {
            awaitReplayed(cluster, follower.name());
        }
        IDS.set(1_000_000);
    }

    @Test
    void aReplicaKilledMidWorkloadCostsNoStatementAnErrorAndIsProbedBackIn() throws Exception {
        PostgresNode victim = cluster.node("node3");
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, "");
             Workload workload = Workload.start(proxy, CLIENTS)) {
            NodeState node3 = node(proxy, "node3");
            Await.until("node3 to serve reads of the workload", Duration.ofSeconds(30), () -> node3.reads() >= 200);
            workload.assertNoErrors("before the kill");

            long pid = victim.postmasterPid().orElseThrow();
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
            List<ProcessHandle> processes = new ArrayList<>(postmaster.descendants().toList());
            processes.add(postmaster);
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).as("kill -9 " + pid).isZero();
            long killedAt = System.nanoTime();

            Await.until("node3 to be shown down", Duration.ofSeconds(10), () -> !node3.isUp());
            Map<String, Long> before = reads(proxy);
            long opsBefore = workload.statements();
            Await.until("the workload to run on for 3 s with node3 down", Duration.ofSeconds(60),
                    () -> Await.millisSince(killedAt) >= 3_000 && workload.statements() - opsBefore >= 1_000);
            Map<String, Long> after = reads(proxy);
            workload.assertNoErrors("after node3 was killed");
            assertThat(node3.isUp()).as("node3 stays down: " + node3.downReason()).isFalse();
            assertThat(after.get("node2") - before.get("node2")).as("node2 keeps serving reads").isGreaterThan(100);
            assertThat(after.get("node4") - before.get("node4")).as("node4 keeps serving reads").isGreaterThan(100);
            assertThat(after.get("node3") - before.get("node3")).as("reads sent to node3 once it was shown down "
                    + "(at most the ones in flight)").isLessThanOrEqualTo(CLIENTS);

            Await.until("every process of node3 to exit", Duration.ofSeconds(30),
                    () -> processes.stream().noneMatch(ProcessHandle::isAlive));
            victim.start(Duration.ofSeconds(60));
            Await.until("node3 to be probed back in", Duration.ofSeconds(30),
                    () -> node3.isUp() && whyNoReads(proxy, node3) == null);
            long back = node3.reads();
            Await.until("node3 to take reads again", Duration.ofSeconds(30), () -> node3.reads() - back >= 100);
            workload.assertNoErrors("after node3 came back");
        } finally {
            restart(victim);
        }
    }

    @Test
    void aStoppedReplicaIsTakenOutWithoutErrorsAndReturnsAfterStart() throws Exception {
        PostgresNode victim = cluster.node("node4");
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, "");
             Workload workload = Workload.start(proxy, CLIENTS)) {
            NodeState node4 = node(proxy, "node4");
            Await.until("node4 to serve reads of the workload", Duration.ofSeconds(30), () -> node4.reads() >= 200);

            victim.stop(Duration.ofSeconds(30));
            long stoppedAt = System.nanoTime();
            Await.until("node4 to be shown down", Duration.ofSeconds(10), () -> !node4.isUp());
            Map<String, Long> before = reads(proxy);
            long opsBefore = workload.statements();
            Await.until("the workload to run on for 2 s with node4 stopped", Duration.ofSeconds(60),
                    () -> Await.millisSince(stoppedAt) >= 2_000 && workload.statements() - opsBefore >= 1_000);
            Map<String, Long> after = reads(proxy);
            workload.assertNoErrors("after node4 was stopped");
            assertThat(node4.isUp()).isFalse();
            assertThat(after.get("node2") - before.get("node2")).as("node2 keeps serving reads").isGreaterThan(100);
            assertThat(after.get("node3") - before.get("node3")).as("node3 keeps serving reads").isGreaterThan(100);
            assertThat(after.get("node4") - before.get("node4")).as("reads sent to node4 once it was shown down "
                    + "(at most the ones in flight)").isLessThanOrEqualTo(CLIENTS);

            victim.start(Duration.ofSeconds(60));
            Await.until("node4 to be probed back in", Duration.ofSeconds(30),
                    () -> node4.isUp() && whyNoReads(proxy, node4) == null);
            long back = node4.reads();
            Await.until("node4 to take reads again", Duration.ofSeconds(30), () -> node4.reads() - back >= 100);
            workload.assertNoErrors("after node4 came back");
        } finally {
            restart(victim);
        }
    }

    @Test
    void aReplicaLaggingBeyondMaxReplicaLagBytesGetsNoReadsUntilItCatchesUp() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster,
                "  routing:\n    max_replica_lag_bytes: 1048576\n    max_replica_lag: 60s\n");
             Connection reader = connect(proxy)) {
            NodeState node3 = node(proxy, "node3");
            long start = node3.reads();
            runReads(reader, 300);
            assertThat(node3.reads() - start).as("node3 takes reads while caught up").isPositive();

            onNode(cluster, "node3", "select pg_wal_replay_pause()");
            try {
                try (Connection primary = cluster.connect(cluster.primary())) {
                    // About 4 MB of WAL, well past the 1 MB limit (the time limit, 60 s, is not what trips).
                    execute(primary, "insert into filler select g, repeat('x', 400) from generate_series(1, 10000) g");
                }
                Await.until("node3 to be ineligible for its lag", Duration.ofSeconds(10), () -> {
                    String why = whyNoReads(proxy, node3);
                    return why != null && why.startsWith("lag ");
                });
                Map<String, String> shown = showNode(proxy, "node3");
                assertThat(shown.get("eligible")).as("SHOW NODES: " + shown).isEqualTo("false");
                assertThat(shown.get("why_not")).as("SHOW NODES: " + shown).startsWith("lag ");
                for (String other : List.of("node2", "node4")) {
                    Await.until(other + " to replay the burst and stay eligible", Duration.ofSeconds(30),
                            () -> whyNoReads(proxy, node(proxy, other)) == null);
                }

                Map<String, Long> before = reads(proxy);
                runReads(reader, 500);
                Map<String, Long> after = reads(proxy);
                assertThat(after.get("node3")).as("reads sent to the lagging node3; per node before " + before
                        + ", after " + after).isEqualTo(before.get("node3"));
                assertThat(after.get("node2") - before.get("node2") + after.get("node4") - before.get("node4"))
                        .as("the reads went to the other replicas").isEqualTo(500);
            } finally {
                onNode(cluster, "node3", "select pg_wal_replay_resume()");
            }
            Await.until("node3 to be eligible again", Duration.ofSeconds(30), () -> whyNoReads(proxy, node3) == null);
            long back = node3.reads();
            runReads(reader, 300);
            assertThat(node3.reads() - back).as("node3 takes reads again").isPositive();
        }
    }

    /**
     * Replay paused on node3, the only replica that takes reads: every read after a write makes the
     * proxy ask node3 how far it replayed, again and again until max_wait sends the read to the
     * primary. Meanwhile the proxy's connections to node3 are terminated over and over, so some die
     * during that question, before any of the client's work was sent there: the client must see
     * nothing but its answers.
     */
    @Test
    void aReplicaConnectionLostWhileTheProxyAsksItsReplayPositionCostsTheClientNothing() throws Exception {
        String yaml = "  routing:\n    max_replica_lag: 60s\n    max_replica_lag_bytes: 1073741824\n"
                + "  consistency:\n    mode: read-your-writes\n    max_wait: 50ms\n";
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, yaml, Map.of("node2", 0, "node4", 0))) {
            NodeState node3 = node(proxy, "node3");
            onNode(cluster, "node3", "select pg_wal_replay_pause()");
            try (Connection killer = cluster.connect(cluster.node("node3"))) {
                AtomicBoolean stop = new AtomicBoolean();
                Future<List<String>> client = executor.submit(() -> writeThenRead(proxy, stop));
                int rounds = 0;
                int terminated = 0;
                while (rounds < 30 && !client.isDone()) {
                    Await.until("node3 to be linked to the client", Duration.ofSeconds(30),
                            () -> client.isDone() || (node3.isUp() && node3.outstanding() > 0));
                    int n = Integer.parseInt(value(killer, "select count(pg_terminate_backend(pid))"
                            + " from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"
                            + " and application_name not like 'pgherd %'"));
                    terminated += n;
                    rounds += n > 0 ? 1 : 0;
                }
                stop.set(true);
                List<String> errors = client.get(60, TimeUnit.SECONDS);
                assertThat(errors).as("what went wrong for the client while " + terminated
                        + " of the proxy's connections to node3 were terminated").isEmpty();
                assertThat(rounds).as("rounds of terminations while node3 was linked").isEqualTo(30);
            } finally {
                onNode(cluster, "node3", "select pg_wal_replay_resume()");
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /** Inserts a row and reads it back until {@code stop}; what went wrong, stopping at the first problem. */
    private static List<String> writeThenRead(ProxyFixture proxy, AtomicBoolean stop) throws SQLException {
        List<String> problems = new ArrayList<>();
        Properties props = new Properties();
        props.setProperty("socketTimeout", "15");
        try (Connection c = proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
             PreparedStatement write = c.prepareStatement("insert into items values (?, 'mine')");
             PreparedStatement read = c.prepareStatement("select payload from items where id = ?")) {
            for (int i = 0; !stop.get() && problems.isEmpty(); i++) {
                long id = IDS.incrementAndGet();
                try {
                    write.setLong(1, id);
                    write.executeUpdate();
                    read.setLong(1, id);
                    try (ResultSet rs = read.executeQuery()) {
                        String got = rs.next() ? rs.getString(1) : "no row";
                        if (!got.equals("mine")) {
                            problems.add("iteration " + i + ": read of " + id + " answered " + got);
                        }
                    }
                } catch (SQLException e) {
                    problems.add("iteration " + i + ": " + e.getSQLState() + " " + e.getMessage());
                }
            }
        }
        return problems;
    }

    // ---------------------------------------------------------------- the workload

    /**
     * Clients that each run reads by primary key in a loop on their own connection, every tenth
     * statement an insert, and record every error with what ran and when.
     */
    private static final class Workload implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong statements = new AtomicLong();
        private final Queue<String> errors = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final long started = System.nanoTime();

        static Workload start(ProxyFixture proxy, int clients) throws SQLException {
            Workload w = new Workload();
            for (int i = 0; i < clients; i++) {
                Connection c = connect(proxy);
                Thread t = new Thread(() -> w.run(c), "workload-" + i);
                t.setDaemon(true);
                w.threads.add(t);
            }
            w.threads.forEach(Thread::start);
            return w;
        }

        private void run(Connection c) {
            try (c; PreparedStatement read = c.prepareStatement("select payload from items where id = ?");
                 PreparedStatement write = c.prepareStatement("insert into items values (?, 'written')")) {
                long n = 0;
                while (!stop.get()) {
                    n++;
                    String what = "";
                    try {
                        if (n % 10 == 0) {
                            long id = IDS.incrementAndGet();
                            what = "insert " + id;
                            write.setLong(1, id);
                            write.executeUpdate();
                        } else {
                            long id = 1 + (n * 7919) % 1000;
                            what = "read " + id;
                            read.setLong(1, id);
                            try (ResultSet rs = read.executeQuery()) {
                                String got = rs.next() ? rs.getString(1) : "no row";
                                if (!got.equals("item " + id)) {
                                    errors.add(Thread.currentThread().getName() + " at " + Await.millisSince(started)
                                            + " ms, " + what + ": wrong answer " + got);
                                }
                            }
                        }
                        statements.incrementAndGet();
                    } catch (SQLException e) {
                        errors.add(Thread.currentThread().getName() + " at " + Await.millisSince(started) + " ms, "
                                + what + ": " + e.getSQLState() + " " + e.getMessage());
                    }
                }
            } catch (SQLException e) {
                errors.add(Thread.currentThread().getName() + ": " + e.getMessage());
            }
        }

        long statements() {
            return statements.get();
        }

        void assertNoErrors(String when) {
            assertThat(List.copyOf(errors)).as("statements that failed (" + when + ") out of " + statements()).isEmpty();
        }

        /** Stops the clients and waits for each (its socket timeout bounds a lost answer). */
        @Override
        public void close() {
            stop.set(true);
            try {
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(70));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Connection connect(ProxyFixture proxy) throws SQLException {
        Properties props = new Properties();
        // A lost answer fails the test instead of hanging it.
        props.setProperty("socketTimeout", "60");
        return proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
    }

    private static void runReads(Connection c, int count) throws SQLException {
        try (PreparedStatement read = c.prepareStatement("select payload from items where id = ?")) {
            for (int i = 0; i < count; i++) {
                long id = 1 + (i * 31L) % 1000;
                read.setLong(1, id);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("item " + id);
                }
            }
        }
    }

    private static NodeState node(ProxyFixture proxy, String name) {
        return proxy.proxy().backends().topology().node(name);
    }

    private static String whyNoReads(ProxyFixture proxy, NodeState n) {
        return proxy.proxy().backends().topology().whyNoReads(n, proxy.proxy().config());
    }

    private static Map<String, Long> reads(ProxyFixture proxy) {
        Map<String, Long> reads = new TreeMap<>();
        for (NodeState n : proxy.proxy().backends().topology().nodes()) {
            reads.put(n.name(), n.reads());
        }
        return reads;
    }

    /** {@code name}'s row of SHOW NODES in the admin console. */
    private static Map<String, String> showNode(ProxyFixture proxy, String name) throws SQLException {
        Properties props = new Properties();
        props.setProperty("preferQueryMode", "simple");
        try (Connection admin = proxy.connect("postgres", proxy.superuserPassword(), "pgherd", props);
             Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SHOW NODES")) {
            while (rs.next()) {
                if (rs.getString("node").equals(name)) {
                    Map<String, String> row = new TreeMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                    }
                    return row;
                }
            }
        }
        throw new AssertionError("SHOW NODES has no row for " + name);
    }

    /** Starts {@code node} again if a failed test left it down, so the class's other tests find the cluster whole. */
    private static void restart(PostgresNode node) {
        if (node.isRunning()) {
            return;
        }
        Await.success(node.name() + " to start again", Duration.ofSeconds(60), () -> {
            node.start(Duration.ofSeconds(30));
            return true;
        });
    }
}
