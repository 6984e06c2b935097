package io.pgherd.agent;

import java.time.Instant;

import io.pgherd.cluster.HistoryEntry;

/**
 * The history entry an agent appends for its promotion, from the moments it measured. A member that
 * takes the key with no leader before it (the bootstrap, or the first leader this agent saw) had no
 * old primary to lose: its entry has no "last seen", no "key gone" and no durations from them, which
 * would only measure how long the agent itself took to start. Pure.
 */
final class PromotionEntry {
    private PromotionEntry() {
    }

    /**
     * @param leader the promoted member
     * @param previousLeader the leader this agent last saw before, or empty
     * @param reason why ({@code failover}, {@code switchover}, {@code initialized}, ...)
     * @param timeline the timeline after the promotion
     * @param position the WAL position after it
     * @param epoch the leader key's epoch
     * @param lastSeenMillis when the previous leader was last seen (0: never)
     * @param keyGoneMillis when its key disappeared (0: not seen)
     * @param electedMillis when this member took the key
     * @param promotedMillis when it was promoted
     * @param firstWriteMillis its first write after the promotion (-1: it failed)
     */
    static HistoryEntry of(String leader, String previousLeader, String reason, int timeline, long position, long epoch,
                           long lastSeenMillis, long keyGoneMillis, long electedMillis, long promotedMillis,
                           long firstWriteMillis) {
        boolean hadLeader = previousLeader != null && !previousLeader.isEmpty();
        long lastSeen = hadLeader ? lastSeenMillis : 0;
        long keyGone = hadLeader ? keyGoneMillis : 0;
        return new HistoryEntry(leader, previousLeader == null ? "" : previousLeader, reason, timeline, position,
                Instant.ofEpochMilli(promotedMillis).toString(), epoch,
                new HistoryEntry.Timeline(lastSeen, keyGone, electedMillis, promotedMillis, firstWriteMillis),
                keyGone > 0 && firstWriteMillis > 0 ? firstWriteMillis - keyGone : null,
                lastSeen > 0 && firstWriteMillis > 0 ? firstWriteMillis - lastSeen : null);
    }
}
