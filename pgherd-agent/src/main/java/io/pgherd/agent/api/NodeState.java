package io.pgherd.agent.api;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

import io.pgherd.agent.ha.ClusterState;

/**
 * What the REST API knows about its member: what the agent's last cycle saw. The health checks
 * answer from this alone (no DCS or PostgreSQL round trip per probe). Immutable.
 *
 * @param cluster the cluster as the last successful DCS read showed it; empty before the first one
 * @param postgres the local PostgreSQL as the last cycle inspected it
 * @param decision the sentence of the last cycle's decision
 * @param cycleMillis when the last cycle ran, in epoch milliseconds (0: none yet)
 * @param dcsReachable whether the DCS answered in the last cycle; when false, {@code cluster} is
 *                     from an earlier cycle and proves nothing about the leader key now
 * @param dcsLastSeenMillis when the DCS last answered, in epoch milliseconds (0: never)
 */
public record NodeState(Optional<ClusterState> cluster, Postgres postgres, String decision, long cycleMillis,
                        boolean dcsReachable, long dcsLastSeenMillis) {

    /** A state whose DCS was last seen in this cycle if it answered, never otherwise. */
    public NodeState(Optional<ClusterState> cluster, Postgres postgres, String decision, long cycleMillis,
                     boolean dcsReachable) {
        this(cluster, postgres, decision, cycleMillis, dcsReachable, dcsReachable ? cycleMillis : 0);
    }

    /**
     * The local PostgreSQL.
     *
     * @param running whether it runs and answers
     * @param inRecovery whether it runs as a standby
     * @param position the current WAL position of a primary, the last received one of a standby (bytes)
     * @param replayed the last replayed position of a standby (bytes)
     * @param timeline its timeline
     * @param pendingRestart the parameters whose new values apply only after a restart, sorted (empty: none)
     * @param rejectedParameters parameters of the dynamic configuration the agent did not write because PostgreSQL
     *                           refuses them, with the reason, by name (empty: none)
     */
    public record Postgres(boolean running, boolean inRecovery, long position, long replayed, int timeline,
                           List<String> pendingRestart, SortedMap<String, String> rejectedParameters) {
        public static final Postgres STOPPED = new Postgres(false, false, 0, 0, 0);

        public Postgres {
            pendingRestart = List.copyOf(pendingRestart);
            rejectedParameters = Collections.unmodifiableSortedMap(new TreeMap<>(rejectedParameters));
        }

        /** A server whose agent wrote every parameter. */
        public Postgres(boolean running, boolean inRecovery, long position, long replayed, int timeline,
                        List<String> pendingRestart) {
            this(running, inRecovery, position, replayed, timeline, pendingRestart, new TreeMap<>());
        }

        /** A server without a pending restart. */
        public Postgres(boolean running, boolean inRecovery, long position, long replayed, int timeline) {
            this(running, inRecovery, position, replayed, timeline, List.of());
        }
    }

    /** Whether {@code member} held the leader key in the last snapshot (stale when the DCS was unreachable). */
    public boolean holdsKey(String member) {
        return cluster.isPresent() && cluster.get().ledBy(member);
    }

    /**
     * Whether {@code member} may take writes: it holds the key per a snapshot of this very cycle (the
     * DCS answered) and its PostgreSQL runs as a primary. What {@code GET /primary} answers.
     */
    public boolean isWritablePrimary(String member) {
        return dcsReachable && holdsKey(member) && postgres.running() && !postgres.inRecovery();
    }

    /** Whether {@code member} is a running standby that does not hold the key. */
    public boolean isReplica(String member) {
        return postgres.running() && postgres.inRecovery() && !holdsKey(member);
    }

    /** The leader in the last snapshot, if any. */
    public Optional<String> leader() {
        return cluster.flatMap(ClusterState::leader).map(ClusterState.Leader::member);
    }

    /**
     * Bytes this member's replayed position is behind the leader's last published position (0 when
     * ahead of it, as a standby can be between two publications); empty when either is unknown.
     */
    public OptionalLong replayLag() {
        long leaderPosition = cluster.map(ClusterState::lastLeaderPosition).orElse(0L);
        if (leaderPosition <= 0 || !postgres.running() || !postgres.inRecovery()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, leaderPosition - postgres.replayed()));
    }
}
