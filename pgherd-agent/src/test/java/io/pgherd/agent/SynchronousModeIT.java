package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.testkit.Await;

/**
 * Synchronous mode on real servers: a leader and two standbys, every agent with
 * {@code synchronous_mode: true}. A writer commits rows on the primary and records each commit the
 * server acknowledged; the primary's postmaster is killed and its port taken so it cannot come back;
 * every acknowledged row must be on the new primary, which must be the standby the {@code sync} key
 * named. Repeated on the same cluster, so each round's new leader chooses its own synchronous standby
 * and the killed primary rejoins as a standby.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SynchronousModeIT {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /**
     * Time for a synchronous standby after a failover: the other standby may have received WAL from the
     * killed primary that the promoted one never had, and is then cloned again after 30 s off its timeline.
     */
    private static final Duration SYNCHRONOUS = Duration.ofSeconds(120);
    private static final AtomicLong NEXT_ID = new AtomicLong();
    private static AgentCluster cluster;

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(3, 0, true);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void afterBootstrapTheLeaderNamesAStreamingStandbyInTheSyncKeyAndInPostgres() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(120));

        String standby = awaitSynchronousStandby(leader);

        assertThat(standby).isNotEqualTo(leader);
        execute(leader, "create table sync_it (id bigint primary key)");
    }

    @RepeatedTest(3)
    @Order(2)
    void everyAcknowledgedCommitIsOnTheNewPrimaryAfterThePrimaryIsKilled(RepetitionInfo round) throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        String named = awaitSynchronousStandby(old);
        Writer writer = new Writer(old);
        writer.start();
        Await.until("the writer has 200 acknowledged commits on " + old, CONVERGE, () -> writer.acknowledged.size() >= 200
                || writer.failure.get() != null);
        assertThat(writer.failure.get()).as("the writer's error before the kill").isNull();
        assertThat(syncKey()).as("the sync key while the writer runs").contains(new ClusterState.Sync(old, named));

        AgentCluster.Member member = cluster.member(old);
        cluster.killPostgres(member);
        String next;
        String standby;
        // Another process takes the port: the old primary cannot restart in place and releases the key.
        try (ServerSocket squatter = new ServerSocket(member.port, 50, InetAddress.getByName("127.0.0.1"))) {
            writer.join(Duration.ofSeconds(30).toMillis());
            assertThat(writer.isAlive()).as("the writer stopped when its primary died").isFalse();
            Await.until("another member leads and takes writes", CONVERGE, () -> cluster.leader().filter(l -> !l.equals(old))
                    .isPresent() && cluster.writable().size() == 1);
            next = cluster.writable().get(0);
            System.out.println("round " + round.getCurrentRepetition() + ": " + writer.acknowledged.size()
                    + " commits acknowledged by " + old + " before kill -9; " + next + " promoted (the sync key named "
                    + named + ")");

            assertThat(next).as("the new primary").isEqualTo(named);
            Set<Long> missing = new HashSet<>(writer.acknowledged);
            missing.removeAll(ids(next, writer.first, NEXT_ID.get()));
            assertThat(missing).as("acknowledged commits missing on the new primary " + next).isEmpty();
            standby = awaitSynchronousStandby(next);
            assertThat(standby).as("the new leader's synchronous standby while " + old + " is down").isNotEqualTo(old);
        }
        // Port free again: the old primary rewinds and follows; the synchronous standby stays while it streams.
        assertThat(cluster.awaitHealthy(Duration.ofSeconds(90))).isEqualTo(next);
        assertThat(awaitSynchronousStandby(next)).isEqualTo(standby);
    }

    @Test
    @Order(3)
    void withSynchronousModeTurnedOffTheLeaderResetsTheNamesAndDeletesTheSyncKey() throws Exception {
        String leader = cluster.awaitHealthy(CONVERGE);
        awaitSynchronousStandby(leader);
        List<AgentCluster.Member> standbys = cluster.members().stream().filter(m -> !m.name.equals(leader)).toList();
        standbys.forEach(cluster::stopAgent);
        // Only the old leader's agent is back at first, so it takes the key again with its primary running.
        cluster.stopAgent(cluster.member(leader));
        cluster.startAgent(cluster.member(leader), false);
        Await.until(leader + " leads again", CONVERGE, () -> cluster.leader().equals(Optional.of(leader)));
        standbys.forEach(m -> cluster.startAgent(m, false));

        Await.until("no sync key and no synchronous_standby_names on " + leader, CONVERGE,
                () -> syncKey().isEmpty() && names(leader).isEmpty());
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(leader);
        execute(leader, "insert into sync_it values (" + NEXT_ID.incrementAndGet() + ")");
    }

    /**
     * Waits until the sync key names {@code leader} and a standby, the leader's synchronous_standby_names
     * is that standby, and its pg_stat_replication shows the standby synchronous; returns the standby.
     */
    private static String awaitSynchronousStandby(String leader) {
        AtomicReference<String> standby = new AtomicReference<>();
        Await.until("the sync key, synchronous_standby_names and pg_stat_replication of " + leader + " agree on one"
                + " synchronous standby", SYNCHRONOUS, () -> {
            Optional<ClusterState.Sync> key = syncKey();
            if (key.isEmpty() || !key.get().leader().equals(leader) || key.get().standby().isEmpty()) {
                return false;
            }
            String name = key.get().standby();
            standby.set(name);
            return names(leader).equals("\"" + name + "\"") && syncState(leader, name).equals("sync");
        });
        return standby.get();
    }

    private static Optional<ClusterState.Sync> syncKey() {
        return ClusterState.of(cluster.store().read()).sync();
    }

    private static String names(String member) throws SQLException {
        try (Connection c = cluster.connect(cluster.member(member)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("show synchronous_standby_names")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String syncState(String leader, String standby) throws SQLException {
        try (Connection c = cluster.connect(cluster.member(leader));
             PreparedStatement s = c.prepareStatement("select sync_state from pg_stat_replication where application_name = ?")) {
            s.setString(1, standby);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    private static Set<Long> ids(String member, long from, long to) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (Connection c = cluster.connect(cluster.member(member));
             PreparedStatement s = c.prepareStatement("select id from sync_it where id between ? and ?")) {
            s.setLong(1, from);
            s.setLong(2, to);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private static void execute(String member, String sql) throws SQLException {
        try (Connection c = cluster.connect(cluster.member(member)); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Inserts one row per commit (autocommit) straight into one member's PostgreSQL until an insert
     * fails, recording the id of every insert the server acknowledged.
     */
    private static final class Writer extends Thread {
        final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final long first = NEXT_ID.get() + 1;
        private final String member;

        Writer(String member) {
            super("sync-it-writer");
            this.member = member;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (Connection c = cluster.connect(cluster.member(member));
                 PreparedStatement insert = c.prepareStatement("insert into sync_it values (?)")) {
                while (true) {
                    long id = NEXT_ID.incrementAndGet();
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    acknowledged.add(id);
                }
            } catch (SQLException e) {
                failure.set(e);
            }
        }
    }
}
