package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.pgherd.cluster.History;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.cluster.Leader;
import io.pgherd.testkit.Await;

/**
 * Agents on real PostgreSQL servers and a real ZooKeeper, with real faults: the primary's
 * postmaster killed, its port taken so it cannot come back, its agent cut off from the DCS, the DCS
 * stopped, a switchover. Two failover candidates and a read replica share one cluster; each test
 * starts from a healthy cluster and leaves one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static AgentCluster cluster;

    /**
     * The longest {@code retry_timeout} Patroni's rule ({@code loop_wait + 2 * retry_timeout <= ttl}) allows with
     * the test cluster's ttl of 8 s and loop_wait of 0.5 s. A DCS read through a silent link then holds the
     * cut-off leader's loop past the moment its key can expire (it took 7.5 s with 3 s), so only the lease guard,
     * not the loop, stops the old primary before another member takes the key.
     */
    private static final Duration RETRY_TIMEOUT = Duration.ofMillis(3750);

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(2, 1, false, RETRY_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void oneMemberInitializesTheOthersCloneAndFollowIt() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(120));

        assertThat(leader).isNotEqualTo("node3");
        // The REST API tells HAProxy-style health checks the truth.
        Await.until("the API of every member agrees with the cluster", CONVERGE, () -> cluster.members().stream().allMatch(m ->
                cluster.get(m, "/primary") == (m.name.equals(leader) ? 200 : 503)
                        && cluster.get(m, "/replica") == (m.name.equals(leader) ? 503 : 200)
                        && cluster.get(m, "/health") == 200));
        assertThat(cluster.store().history().entries()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("initialized"));
        write(leader, "create table if not exists ha_it (id serial primary key, v text)");
    }

    @Test
    @Order(2)
    void aCrashedPrimaryPostgresIsBackTakingWritesWithinSeconds() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);
        long killed = System.nanoTime();
        cluster.killPostgres(cluster.member(leader));

        String[] writer = new String[1];
        Await.until("a primary takes writes again", Duration.ofSeconds(30), () -> {
            List<String> w = cluster.writable();
            if (w.size() == 1 && tryWrite(w.get(0))) {
                writer[0] = w.get(0);
                return true;
            }
            return false;
        });
        long millis = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("writes accepted again " + millis + " ms after kill -9 of the primary's postmaster (by " + writer[0] + ")");
        assertThat(millis).as("writes accepted again within 15 s").isLessThan(15_000);
        cluster.awaitHealthy(CONVERGE);
    }

    @Test
    @Order(3)
    void aPrimaryThatCannotRestartHandsOverAndRejoinsAsAStandbyOfTheNewOne() throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        write(old, "insert into ha_it (v) values ('before the failover')");
        AgentCluster.Member member = cluster.member(old);
        cluster.killPostgres(member);
        String next;
        // Another process takes the port: the old primary's PostgreSQL cannot start again.
        try (ServerSocket squatter = new ServerSocket(member.port, 50, InetAddress.getByName("127.0.0.1"))) {
            Await.until("another standby leads", CONVERGE, () -> cluster.leader().filter(l -> !l.equals(old)).isPresent()
                    && cluster.writable().size() == 1);
            next = cluster.writable().get(0);
            assertThat(next).isNotEqualTo(old).isNotEqualTo("node3");
            assertThat(count(next, "select count(*) from ha_it where v = 'before the failover'")).isEqualTo(1);
            write(next, "insert into ha_it (v) values ('after the failover')");
        }
        // Port free again: the old primary rewinds and follows the new one.
        String leader = cluster.awaitHealthy(Duration.ofSeconds(90));
        assertThat(leader).isEqualTo(next);
        Await.until(old + " replays the new primary's writes", CONVERGE,
                () -> count(old, "select count(*) from ha_it where v = 'after the failover'") == 1);
        HistoryEntry last = last(cluster.store().history());
        assertThat(last.leader()).isEqualTo(next);
        assertThat(last.timelineMs().firstWrite()).isPositive();
        assertThat(last.leaderEpoch()).as("the entry names the epoch of the key its leader holds")
                .isEqualTo(cluster.store().read().leader().orElseThrow().epoch());
    }

    @Test
    @Order(4)
    void aPrimaryCutOffFromTheDcsStopsTakingWritesBeforeAnotherIsPromoted() throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        AtomicInteger maxWritable = new AtomicInteger();
        AtomicInteger oldWritableUnderAnotherLeader = new AtomicInteger();
        // A checker polling every 50 ms: the leader key as the DCS holds it, then every node for a PostgreSQL that
        // takes writes. The old primary must have stopped before another member could take the key, not merely
        // before another was promoted: the key moves first, the promotion follows within a cycle.
        java.util.concurrent.ScheduledExecutorService checker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        checker.scheduleWithFixedDelay(() -> {
            try {
                Optional<String> holder = cluster.directStore().read().leader().map(Leader::member);
                List<String> writable = cluster.writable();
                maxWritable.accumulateAndGet(writable.size(), Math::max);
                if (holder.isPresent() && !holder.get().equals(old) && writable.contains(old)) {
                    oldWritableUnderAnotherLeader.incrementAndGet();
                }
            } catch (RuntimeException e) {
                // A failed poll must not end the polling (the executor would drop the task); the next one looks again.
                System.out.println("poll failed: " + e);
            }
        }, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            cluster.member(old).dcsLink.freeze();
            Await.until("another member leads and takes writes", CONVERGE,
                    () -> cluster.writable().size() == 1 && !cluster.writable().get(0).equals(old));
            cluster.member(old).dcsLink.thaw();
            String leader = cluster.awaitHealthy(Duration.ofSeconds(90));
            assertThat(leader).isNotEqualTo(old);
        } finally {
            checker.shutdown();
            assertThat(checker.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(maxWritable.get()).as("writable primaries seen at once, polling every 50 ms").isEqualTo(1);
        assertThat(oldWritableUnderAnotherLeader.get()).as("polls that found the old primary taking writes while another"
                + " member held the leader key").isZero();
    }

    @Test
    @Order(5)
    void aSwitchoverHandsTheKeyToTheNamedCandidateAndTheOldPrimaryFollows() throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        String candidate = old.equals("node1") ? "node2" : "node1";
        cluster.store().requestSwitchover(old, candidate, 0);

        Await.until(candidate + " leads", CONVERGE, () -> cluster.leader().equals(java.util.Optional.of(candidate)));
        String leader = cluster.awaitHealthy(CONVERGE);
        assertThat(leader).isEqualTo(candidate);
        assertThat(last(cluster.store().history()).reason()).isEqualTo("switchover");
    }

    @Test
    @Order(6)
    void theDcsStoppedLongerThanTheTtlEndsWithExactlyOnePrimary() throws Exception {
        cluster.awaitHealthy(CONVERGE);
        cluster.zooKeeper().stop();
        Await.until("no member takes writes while the DCS is down", Duration.ofSeconds(30), () -> cluster.writable().isEmpty());
        cluster.zooKeeper().start();
        String leader = cluster.awaitHealthy(Duration.ofSeconds(90));
        assertThat(cluster.writable()).containsExactly(leader);
    }

    @Test
    @Order(7)
    void theReadReplicaNeverLed() {
        assertThat(cluster.store().history().entries()).allSatisfy(e -> assertThat(e.leader()).isNotEqualTo("node3"));
    }

    private static HistoryEntry last(History history) {
        return history.entries().get(history.entries().size() - 1);
    }

    private static void write(String member, String sql) throws Exception {
        try (Connection c = cluster.connect(cluster.member(member)); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static boolean tryWrite(String member) {
        try {
            write(member, "insert into ha_it (v) values ('probe')");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static long count(String member, String sql) throws Exception {
        return Long.parseLong(cluster.query(cluster.member(member), sql).get(0));
    }
}
