package io.pgherd.agent.ha;

import java.util.Map;
import java.util.Optional;

/**
 * The cluster as the DCS showed it at the start of one cycle.
 *
 * @param leader who holds the leader key and its epoch (the key's create revision), if anyone
 * @param members every member with a live record, by name
 * @param initializedBy the member that won the {@code initialize} key, or empty before anyone did
 * @param lastLeaderPosition the last WAL position the leader published in {@code status} (0: unknown)
 * @param switchover a requested switchover or failover, if any
 * @param synchronousStandby the standby named in {@code sync}, if any
 * @param paused maintenance mode: no automatic failover
 */
public record ClusterState(Optional<Leader> leader, Map<String, Member> members, Optional<String> initializedBy,
                           long lastLeaderPosition, Optional<Switchover> switchover, Optional<String> synchronousStandby,
                           boolean paused) {
    /** The holder of the leader key. */
    public record Leader(String member, long epoch) {
    }

    /**
     * A switchover (planned, with {@code from} the current leader) or failover (any time) request.
     *
     * @param from the leader to move away from, or empty for a failover
     * @param to the candidate that should lead, or empty for "the best one"
     * @param notBeforeMillis epoch milliseconds before which nothing happens (a scheduled switchover; 0: now)
     */
    public record Switchover(String from, String to, long notBeforeMillis) {
    }

    public ClusterState {
        members = Map.copyOf(members);
    }

    /** Whether {@code name} holds the leader key. */
    public boolean ledBy(String name) {
        return leader.isPresent() && leader.get().member().equals(name);
    }
}
