package io.pgherd.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.postgres.Credentials;

/**
 * Samples the cluster's servers on a thread of its own every {@link #PERIOD_MILLIS}, from the servers' side
 * only: on the leader its {@code pg_current_wal_lsn()} and every row of its {@code pg_stat_replication}; on
 * every other member that accepts connections its {@code pg_last_wal_replay_lsn()}, its WAL receiver's status
 * and the client sessions of database {@link #database} (the load's, which the proxy opens there). Times are
 * the servers' {@code clock_timestamp()} in µs since the epoch (one machine: one clock). What the DCS says only
 * tells it where the servers are.
 */
final class ServerSampler implements AutoCloseable {
    static final long PERIOD_MILLIS = 100;

    /** One walsender of the leader, as {@code pg_stat_replication} showed it. */
    record Sender(String state, long replayLsn, long backendStartMicros) {
    }

    /** One look at the leader: when, its current WAL position, its walsenders by application_name (the member). */
    record LeaderSample(long atMicros, String leader, long currentLsn, Map<String, Sender> senders) {
    }

    /**
     * One look at a member other than the leader.
     *
     * @param receiver {@code pg_stat_wal_receiver.status}, empty when no WAL receiver runs
     * @param loadSessions client sessions of the load's database
     * @param firstLoadSessionMicros the earliest {@code backend_start} of those, 0 when none
     * @param sleeping sessions of the load's database running a {@code pg_sleep}
     */
    record MemberSample(long atMicros, long replayLsn, String receiver, int loadSessions, long firstLoadSessionMicros,
                        int sleeping) {
    }

    private final ClusterStore cluster;
    private final Credentials credentials;
    private final String database;
    private final Map<Integer, Connection> connections = new HashMap<>();
    private final List<LeaderSample> leader = new CopyOnWriteArrayList<>();
    private final Map<String, List<MemberSample>> members = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ServerSampler(ClusterStore cluster, Credentials credentials, String database) {
        this.cluster = cluster;
        this.credentials = credentials;
        this.database = database;
        this.thread = new Thread(this::loop, "server-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    List<LeaderSample> leaderSamples() {
        return List.copyOf(leader);
    }

    List<MemberSample> samples(String member) {
        return List.copyOf(members.getOrDefault(member, List.of()));
    }

    /** The latest sample of {@code member}, if any. */
    Optional<MemberSample> latest(String member) {
        List<MemberSample> s = samples(member);
        return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
    }

    private void loop() {
        while (running) {
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
            try {
                sampleOnce(cluster.read());
            } catch (RuntimeException e) {
                // The DCS did not answer this time: the next round tries again.
            }
            LockSupport.parkNanos(next - System.nanoTime());
        }
        connections.values().forEach(ServerSampler::close);
    }

    private void sampleOnce(ClusterSnapshot snapshot) {
        String leaderName = snapshot.leader().map(Leader::member).orElse("");
        // The members first, the leader last: a member's replay position sampled before the leader's current one.
        for (Member m : snapshot.members().values()) {
            if (!m.name().equals(leaderName) && m.running()) {
                sampleMember(m);
            }
        }
        Member l = snapshot.members().get(leaderName);
        if (l != null) {
            sampleLeader(l);
        }
    }

    private void sampleMember(Member m) {
        String sql = "SELECT " + micros("clock_timestamp()") + ", (pg_last_wal_replay_lsn() - '0/0')::bigint,"
                + " (SELECT status FROM pg_stat_wal_receiver),"
                + " count(a.pid), coalesce(" + micros("min(a.backend_start)") + ", 0),"
                + " count(a.pid) FILTER (WHERE a.state = 'active' AND a.query LIKE '%pg_sleep%')"
                + " FROM (SELECT 1) one LEFT JOIN pg_stat_activity a ON a.datname = '" + database + "'"
                + " AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()";
        query(m.port(), sql, rs -> {
            rs.next();
            members.computeIfAbsent(m.name(), k -> new CopyOnWriteArrayList<>()).add(new MemberSample(rs.getLong(1),
                    rs.getLong(2), Optional.ofNullable(rs.getString(3)).orElse(""), rs.getInt(4), rs.getLong(5), rs.getInt(6)));
        });
    }

    private void sampleLeader(Member l) {
        String sql = "SELECT " + micros("clock_timestamp()") + ", (pg_current_wal_lsn() - '0/0')::bigint, r.application_name,"
                + " r.state, (r.replay_lsn - '0/0')::bigint, " + micros("r.backend_start")
                + " FROM (SELECT 1) one LEFT JOIN pg_stat_replication r ON true";
        query(l.port(), sql, rs -> {
            long at = 0;
            long lsn = 0;
            Map<String, Sender> senders = new HashMap<>();
            while (rs.next()) {
                at = rs.getLong(1);
                lsn = rs.getLong(2);
                if (rs.getString(3) != null) {
                    senders.put(rs.getString(3), new Sender(rs.getString(4), rs.getLong(5), rs.getLong(6)));
                }
            }
            leader.add(new LeaderSample(at, l.name(), lsn, Map.copyOf(senders)));
        });
    }

    private static String micros(String timestamp) {
        return "(extract(epoch FROM " + timestamp + ") * 1000000)::bigint";
    }

    private interface Rows {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(int port, String sql, Rows rows) {
        try {
            Connection c = connections.get(port);
            if (c == null || c.isClosed()) {
                c = connect(port);
                connections.put(port, c);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rows.read(rs);
            }
        } catch (SQLException e) {
            // Not accepting connections (yet, or any more): nothing to sample there this time.
            close(connections.remove(port));
        }
    }

    private Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.superuser());
        props.setProperty("password", credentials.superuserPassword());
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "2");
        props.setProperty("ApplicationName", "ReplicaLoadIT sampler");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken connection
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }

    /** Samples taken, for the report. */
    int count() {
        int n = leader.size();
        for (List<MemberSample> s : members.values()) {
            n += s.size();
        }
        return n;
    }
}
