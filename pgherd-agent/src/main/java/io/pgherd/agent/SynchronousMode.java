package io.pgherd.agent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.SynchronousStandby;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.PostgresException;

/**
 * The leader's share of synchronous mode, once per cycle: with the mode on it asks
 * {@link SynchronousStandby#plan} which standby is synchronous and carries the plan out in the order
 * that class explains (the {@code sync} key names nobody, then {@code synchronous_standby_names}, then
 * the key names the standby once it is confirmed); with the mode off it resets a
 * {@code synchronous_standby_names} it set and deletes the key. Every step is bounded
 * ({@code retry_timeout} for the confirmation); what does not finish is taken up again next cycle.
 * PostgreSQL is reached over short-lived superuser connections to the local server. Runs on the
 * agent's loop thread only.
 */
final class SynchronousMode {
    private static final Logger log = LoggerFactory.getLogger(SynchronousMode.class);
    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private final String name;
    private final LocalNode local;
    private final ClusterStore store;
    private final Duration confirmTimeout;
    private String lastSentence = "";

    SynchronousMode(String name, LocalNode local, ClusterStore store, Duration confirmTimeout) {
        this.name = name;
        this.local = local;
        this.store = store;
        this.confirmTimeout = confirmTimeout;
    }

    /** One cycle of a leader whose PostgreSQL runs as a primary; {@code on}: synchronous mode is configured. */
    void lead(ClusterState cluster, boolean on) {
        try {
            if (on) {
                keep(cluster);
            } else {
                undo(cluster);
            }
        } catch (SQLException | PostgresException | DcsException e) {
            log.warn("{}: synchronous mode: {}; trying again next cycle", name, e.getMessage());
        }
    }

    /**
     * What a member that just took the leader key writes before it promotes: the key names no standby, so
     * until it has a confirmed synchronous standby of its own nobody takes the key automatically (the key
     * may still name a standby of the previous leader, which lacks what this one acknowledges).
     */
    void claim() {
        store.putSync(new ClusterState.Sync(name, "").record());
    }

    private void keep(ClusterState cluster) throws SQLException {
        Replication replication = replication();
        SynchronousStandby.Plan plan = SynchronousStandby.plan(name, cluster.sync(), replication.names(), cluster.members(),
                replication.senders());
        say(plan.sentence());
        if (plan.steady()) {
            return;
        }
        Optional<ClusterState.Sync> key = cluster.sync();
        ClusterState.Sync none = new ClusterState.Sync(name, "");
        if (plan.emptyKeyFirst()) {
            if (!store.writeSync(key.map(ClusterState.Sync::record), none.record())) {
                log.info("{}: the sync key changed since this cycle read it; synchronous mode waits for the next cycle", name);
                return;
            }
            key = Optional.of(none);
        }
        if (plan.setNames()) {
            synchronousStandbyNames(plan.names());
            log.info("{}: synchronous_standby_names set to '{}'", name, plan.names());
        }
        if (!plan.confirm()) {
            return;
        }
        if (!awaitSynchronous(plan.standby(), confirmTimeout)) {
            log.info("{}: {} is not yet confirmed synchronous after {} ms; the sync key names no standby until it is",
                    name, plan.standby(), confirmTimeout.toMillis());
            return;
        }
        if (store.writeSync(key.map(ClusterState.Sync::record), new ClusterState.Sync(name, plan.standby()).record())) {
            log.info("{}: {} is the synchronous standby: it has every acknowledged commit (sync key written)", name,
                    plan.standby());
        } else {
            log.info("{}: the sync key changed since this cycle read it; synchronous mode waits for the next cycle", name);
        }
    }

    private void undo(ClusterState cluster) throws SQLException {
        lastSentence = "";
        if (local.setsSynchronousStandbyNames()) {
            synchronousStandbyNames("");
            log.info("{}: synchronous mode is off: synchronous_standby_names reset", name);
        }
        if (cluster.sync().isPresent()) {
            store.deleteSync();
            log.info("{}: synchronous mode is off: sync key deleted", name);
        }
    }

    /**
     * What the leader's replication looks like, read at once.
     *
     * @param names its {@code synchronous_standby_names}
     * @param senders its {@code pg_stat_replication}
     */
    private record Replication(String names, List<SynchronousStandby.Sender> senders) {
    }

    /** Reads this primary's {@code synchronous_standby_names} and WAL senders. */
    private Replication replication() throws SQLException {
        try (Connection c = local.connect(); Statement s = c.createStatement()) {
            String names;
            try (ResultSet rs = s.executeQuery("SELECT current_setting('synchronous_standby_names')")) {
                rs.next();
                names = rs.getString(1);
            }
            return new Replication(names, senders(s));
        }
    }

    private static List<SynchronousStandby.Sender> senders(Statement s) throws SQLException {
        List<SynchronousStandby.Sender> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT coalesce(application_name, ''), coalesce(state, ''),"
                + " coalesce(sync_state, ''), coalesce(sync_priority, 0), coalesce(flush_lsn - '0/0', 0)"
                + " FROM pg_stat_replication")) {
            while (rs.next()) {
                out.add(new SynchronousStandby.Sender(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getLong(5)));
            }
        }
        return out;
    }

    /**
     * Sets this primary's {@code synchronous_standby_names} with ALTER SYSTEM (empty: resets it) and
     * reloads the configuration. Processes apply a reload on their own, a moment later.
     */
    private void synchronousStandbyNames(String names) throws SQLException {
        try (Connection c = local.connect(); Statement s = c.createStatement()) {
            s.execute(names.isEmpty() ? "ALTER SYSTEM RESET synchronous_standby_names"
                    : "ALTER SYSTEM SET synchronous_standby_names = '" + names.replace("'", "''") + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * Waits up to {@code timeout} until {@code standby} is this primary's only synchronous WAL sender
     * ({@link SynchronousStandby#confirmed}) and has then flushed the WAL position read right after:
     * every commit acknowledged before lies below that position, every later one waits for its flush.
     *
     * @return whether both held in time
     */
    private boolean awaitSynchronous(String standby, Duration timeout) throws SQLException {
        long end = System.nanoTime() + timeout.toNanos();
        try (Connection c = local.connect(); Statement s = c.createStatement()) {
            while (!SynchronousStandby.confirmed(standby, senders(s))) {
                if (!pause(end)) {
                    return false;
                }
            }
            long position;
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'")) {
                rs.next();
                position = rs.getLong(1);
            }
            while (true) {
                List<SynchronousStandby.Sender> senders = senders(s);
                if (SynchronousStandby.confirmed(standby, senders)
                        && senders.stream().anyMatch(x -> x.name().equals(standby) && x.flushed() >= position)) {
                    return true;
                }
                if (!pause(end)) {
                    return false;
                }
            }
        }
    }

    /** Parks one poll interval; false (without parking) once {@code endNanos} has passed. */
    private static boolean pause(long endNanos) {
        if (System.nanoTime() - endNanos >= 0) {
            return false;
        }
        LockSupport.parkNanos(POLL_NANOS);
        return true;
    }

    private void say(String sentence) {
        if (!sentence.equals(lastSentence)) {
            log.info("{}: {}", name, sentence);
            lastSentence = sentence;
        }
    }
}
