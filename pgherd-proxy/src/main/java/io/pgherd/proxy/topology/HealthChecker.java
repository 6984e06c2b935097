package io.pgherd.proxy.topology;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Checks every node each {@code proxy.health.interval}: whether it answers, whether it is in
 * recovery, and its WAL position (the primary's current one, a replica's replay position). A
 * replica's lag is the bytes between the two and, in seconds, how long ago the primary was last seen
 * at or before the replica's position (so an idle, caught-up replica lags 0 s, and one that stopped
 * replaying lags as long as it has been stuck). One check at a time per node, each on its own
 * kept-open connection; a node that fails a check is down until one passes.
 */
final class HealthChecker {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private static final String CHECK = "SELECT pg_is_in_recovery(), (CASE WHEN pg_is_in_recovery()"
            + " THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,"
            + " extract(epoch FROM now() - pg_last_xact_replay_timestamp())";
    private static final long HISTORY_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final Topology topology;
    private final Map<String, Connection> connections = new HashMap<>();
    /** (time, position) samples of the primary, oldest first: what lag in seconds is measured against. */
    private final ArrayDeque<long[]> primaryHistory = new ArrayDeque<>();
    private final Runnable onNodeDown;

    HealthChecker(Topology topology, Runnable onNodeDown) {
        this.topology = topology;
        this.onNodeDown = onNodeDown;
    }

    /** One round over every node; runs on the checker's own thread. */
    synchronized void checkAll(NodeConnector connector) {
        long now = System.nanoTime();
        NodeState primary = topology.primary();
        boolean primaryWasUp = primary.isUp();
        Sample p = check(primary, connector);
        if (p == null && primaryWasUp) {
            onNodeDown.run();
        }
        if (p != null) {
            primary.checked(p.recovery(), p.position(), 0, 0);
            primaryHistory.addLast(new long[] {now, p.position()});
            while (primaryHistory.size() > 2 && now - primaryHistory.peekFirst()[0] > HISTORY_NANOS) {
                primaryHistory.pollFirst();
            }
        }
        long primaryPosition = primary.walPosition();
        for (NodeState n : topology.nodes()) {
            if (n.isPrimary()) {
                continue;
            }
            boolean wasUp = n.isUp();
            Sample s = check(n, connector);
            if (s == null) {
                if (wasUp) {
                    onNodeDown.run();
                }
                continue;
            }
            if (!wasUp) {
                log.info("node {} is back: {}", n.node(), s.recovery() ? "in recovery" : "not in recovery");
            }
            long bytes = Math.max(0, primaryPosition - s.position());
            n.checked(s.recovery(), s.position(), bytes, bytes == 0 ? 0 : secondsBehind(s, now));
        }
        connections.keySet().removeIf(name -> {
            if (topology.node(name) == null) {
                close(connections.get(name));
                return true;
            }
            return false;
        });
    }

    /** How long ago the primary was last seen at or before {@code s}'s position; the replay timestamp when history is too short. */
    private double secondsBehind(Sample s, long now) {
        long lastAtOrBefore = -1;
        for (Iterator<long[]> it = primaryHistory.descendingIterator(); it.hasNext(); ) {
            long[] h = it.next();
            if (h[1] <= s.position()) {
                lastAtOrBefore = h[0];
                break;
            }
        }
        if (lastAtOrBefore < 0) {
            return Math.max(s.replayAgeSeconds(), primaryHistory.isEmpty() ? 0
                    : (now - primaryHistory.peekFirst()[0]) / 1e9);
        }
        return (now - lastAtOrBefore) / 1e9;
    }

    private record Sample(boolean recovery, long position, double replayAgeSeconds) {
    }

    private Sample check(NodeState n, NodeConnector connector) {
        Connection conn = connections.get(n.name());
        try {
            if (conn == null || conn.isClosed()) {
                conn = connector.connect(n.node(), "postgres", "health check");
                connections.put(n.name(), conn);
            }
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(CHECK)) {
                rs.next();
                String position = rs.getString(2);
                return new Sample(rs.getBoolean(1), position == null ? 0 : Lsn.parse(position), rs.getDouble(3));
            }
        } catch (SQLException | RuntimeException e) {
            close(connections.remove(n.name()));
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (n.isUp()) {
                log.warn("node {} failed its health check: {}", n.node(), reason);
            }
            n.checkFailed("health check failed: " + reason);
            return null;
        }
    }

    synchronized void close() {
        connections.values().forEach(HealthChecker::close);
        connections.clear();
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }
}
