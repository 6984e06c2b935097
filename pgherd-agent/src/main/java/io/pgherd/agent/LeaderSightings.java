package io.pgherd.agent;

import io.pgherd.agent.ha.ClusterState;

/**
 * When this agent last saw a leader, which one, and when it saw the leader key go: the moments a promotion's
 * history entry measures from ({@link PromotionEntry}) and how long the cluster has been without a leader (what
 * the HA rules wait on). The loop thread takes each cycle's cluster ({@link #seen}); the DCS watch's thread may
 * note the key's deletion at once ({@link #keyDeleted}). Pure: the time is passed in. Thread-safe for that one
 * writer from the watch; everything else is the loop thread's.
 */
final class LeaderSightings {
    private long lastSeenMillis;
    private volatile long goneMillis;
    private String previousLeader = "";

    /** Takes one cycle's cluster (read from the DCS) at {@code nowMillis}. */
    void seen(ClusterState cluster, long nowMillis) {
        if (cluster.leader().isPresent()) {
            lastSeenMillis = nowMillis;
            previousLeader = cluster.leader().get().member();
            goneMillis = 0;
        } else if (goneMillis == 0) {
            goneMillis = nowMillis;
        }
    }

    /** The DCS watch saw the leader key deleted at {@code nowMillis}. */
    void keyDeleted(long nowMillis) {
        goneMillis = nowMillis;
    }

    /** How long {@code cluster} has been without a leader, as far as this agent saw; 0 while it has one. */
    long leaderlessMillis(ClusterState cluster, long nowMillis) {
        return cluster.leader().isEmpty() && goneMillis > 0 ? Math.max(0, nowMillis - goneMillis) : 0;
    }

    /** The leader last seen; empty before any. */
    String previousLeader() {
        return previousLeader;
    }

    /** When a leader was last seen (0: never). */
    long lastSeenMillis() {
        return lastSeenMillis;
    }

    /** When the leader key was seen gone (0: not since a leader was last seen). */
    long goneMillis() {
        return goneMillis;
    }
}
