package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code sync}, written only by a leader in synchronous mode: {@code standby} has flushed
 * every commit {@code leader} acknowledged. An unreadable key reads as naming nobody
 * ({@link #NOBODY}).
 *
 * @param leader the leader that wrote the key (empty when the key does not say)
 * @param standby the synchronous standby, or empty for none
 */
public record SyncState(@JsonProperty("leader") String leader, @JsonProperty("standby") String standby) {
    /** A key that names no leader and no standby. */
    public static final SyncState NOBODY = new SyncState("", "");

    public SyncState {
        leader = leader == null ? "" : leader;
        standby = standby == null ? "" : standby;
    }
}
