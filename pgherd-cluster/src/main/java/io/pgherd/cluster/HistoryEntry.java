package io.pgherd.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the record {@code history} (a JSON array, oldest first): one promotion, written by
 * the promoted member's agent, and the timeline each proxy measured of it, added by that proxy.
 * Fields this release does not know are kept ({@link #others}) and written back, so a proxy adding
 * its timeline does not drop what a newer agent wrote.
 *
 * @param leader the promoted member
 * @param previousLeader the member that led before (JSON null when unknown)
 * @param reason {@code failover} or {@code switchover}
 * @param timeline the new leader's timeline (0: unknown)
 * @param position its WAL position after the promotion
 * @param time when it was promoted, ISO-8601
 * @param leaderEpoch the epoch of the leader key it promoted under; null in entries of agents before
 *                    the epoch was recorded
 * @param timelineMs the agent's measured timeline (epoch ms; -1 or 0: not measured)
 * @param writesResumedAfterKeyGoneMs from the old key's disappearance to the first write, if measured
 * @param writesResumedAfterLastSeenMs from the old primary's last sign of life to the first write, if measured
 * @param proxies each proxy's measured timeline, by proxy name; null until one is added
 * @param others fields of newer releases, kept as read
 */
public record HistoryEntry(@JsonProperty("leader") String leader,
                           @JsonProperty("previous_leader") String previousLeader,
                           @JsonProperty("reason") String reason,
                           @JsonProperty("timeline") int timeline,
                           @JsonProperty("position") long position,
                           @JsonProperty("time") String time,
                           @JsonProperty("leader_epoch") @JsonInclude(JsonInclude.Include.NON_NULL) Long leaderEpoch,
                           @JsonProperty("timeline_ms") @JsonInclude(JsonInclude.Include.NON_NULL) Timeline timelineMs,
                           @JsonProperty("writes_resumed_after_key_gone_ms") @JsonInclude(JsonInclude.Include.NON_NULL)
                           Long writesResumedAfterKeyGoneMs,
                           @JsonProperty("writes_resumed_after_last_seen_ms") @JsonInclude(JsonInclude.Include.NON_NULL)
                           Long writesResumedAfterLastSeenMs,
                           @JsonProperty("proxies") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, ProxyTimeline> proxies,
                           @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> others) {
    public HistoryEntry {
        proxies = proxies == null ? null : new LinkedHashMap<>(proxies);
        others = others == null ? new LinkedHashMap<>() : new LinkedHashMap<>(others);
    }

    /** An entry as its agent writes it: no proxy timeline yet, nothing unknown. */
    public HistoryEntry(String leader, String previousLeader, String reason, int timeline, long position, String time,
                        long leaderEpoch, Timeline timelineMs, Long writesResumedAfterKeyGoneMs, Long writesResumedAfterLastSeenMs) {
        this(leader, previousLeader, reason, timeline, position, time, leaderEpoch, timelineMs, writesResumedAfterKeyGoneMs,
                writesResumedAfterLastSeenMs, null, null);
    }

    /** This entry with {@code proxy}'s timeline added (or replaced). */
    public HistoryEntry withProxy(String proxy, ProxyTimeline measured) {
        Map<String, ProxyTimeline> next = proxies == null ? new LinkedHashMap<>() : new LinkedHashMap<>(proxies);
        next.put(proxy, measured);
        return new HistoryEntry(leader, previousLeader, reason, timeline, position, time, leaderEpoch, timelineMs,
                writesResumedAfterKeyGoneMs, writesResumedAfterLastSeenMs, next, others);
    }

    /** Whether this is the entry of {@code member}'s promotion under the leader key of {@code epoch}. */
    public boolean promotionOf(String member, long epoch) {
        return leaderEpoch != null && leaderEpoch == epoch && Objects.equals(leader, member);
    }

    /**
     * The agent's measured timeline of a promotion, epoch milliseconds.
     *
     * @param oldPrimaryLastSeen the old primary's last sign of life (0: unknown)
     * @param keyGone when the old leader key disappeared (0: unknown)
     * @param elected when this member took the key
     * @param promoted when its PostgreSQL was promoted
     * @param firstWrite its first write after promotion (-1: it failed)
     */
    public record Timeline(@JsonProperty("old_primary_last_seen") long oldPrimaryLastSeen,
                           @JsonProperty("key_gone") long keyGone,
                           @JsonProperty("elected") long elected,
                           @JsonProperty("promoted") long promoted,
                           @JsonProperty("first_write") long firstWrite) {
    }

    /**
     * One proxy's measured timeline of a promotion, epoch milliseconds.
     *
     * @param failureSeen when it saw the old primary fail (or the key go)
     * @param leaderSeen when it saw the new leader
     * @param writesReleased when it released held writes to the new leader
     * @param firstWrite its first write through the new leader, within {@link #FIRST_WRITE_WINDOW_MILLIS} of
     *                   {@code writesReleased} (0: no client wrote in that window, so nothing was measured)
     * @param writesHeldMs how long it held writes
     * @param leaderEpoch the epoch of the leader it saw
     */
    public record ProxyTimeline(@JsonProperty("failure_seen") long failureSeen,
                                @JsonProperty("leader_seen") long leaderSeen,
                                @JsonProperty("writes_released") long writesReleased,
                                @JsonProperty("first_write") long firstWrite,
                                @JsonProperty("writes_held_ms") long writesHeldMs,
                                @JsonProperty("leader_epoch") long leaderEpoch) {
        /**
         * How long after writes were released a proxy's first write still measures the promotion: a later one
         * only says when a client next wrote (after a quiet switchover, minutes), so it is not recorded.
         */
        public static final long FIRST_WRITE_WINDOW_MILLIS = 30_000;
    }
}
