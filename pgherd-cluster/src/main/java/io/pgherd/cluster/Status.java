package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code status}: the leader's last known WAL position, which candidates are judged
 * against after it is gone, and whether that leader stopped cleanly while leading.
 *
 * @param position the leader's WAL position (0: unknown)
 * @param timeline its timeline, written with {@code stoppedLeader} (0: not written)
 * @param stoppedLeader the leader whose agent stopped cleanly while it led (a {@code pgherd down}, an agent
 *                      restart): it holds everything the cluster acknowledged, so it takes the key back
 *                      when it returns; null while a leader leads (each of its cycles writes the record
 *                      without it) or after a crash
 */
public record Status(@JsonProperty("position") long position,
                     @JsonProperty("timeline") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int timeline,
                     @JsonProperty("stopped_leader") @JsonInclude(JsonInclude.Include.NON_NULL) String stoppedLeader) {
    /** What a leading leader publishes every cycle. */
    public Status(long position) {
        this(position, 0, null);
    }
}
