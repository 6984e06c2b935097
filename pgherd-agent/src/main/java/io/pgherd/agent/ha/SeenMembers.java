package io.pgherd.agent.ha;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * What an agent remembers of the members it saw, for the slots its PostgreSQL keeps once it leads
 * ({@link SlotRules}): when each member that streams from someone was last seen (the leader included; a spare,
 * which streams from nobody, is forgotten at once), and which were seen draining. Every agent remembers, whether
 * it leads or not, so a new leader keeps a slot at once for each member seen lately, the old primary included:
 * a member that comes back streams as soon as it follows instead of waiting for the slot. Pure: the time is
 * passed in. Not thread-safe (the agent's loop thread only).
 */
public final class SeenMembers {
    private final long retentionMillis;
    private final Map<String, Long> lastSeen = new HashMap<>();
    /** The members seen marked draining by the controller: no slot is kept for them once their record is gone. */
    private Set<String> drainingSeen = Set.of();

    /** @param retentionMillis how long a member not seen any more keeps its slot ({@code agent.slot_retention}) */
    public SeenMembers(long retentionMillis) {
        this.retentionMillis = retentionMillis;
    }

    /** Takes one cycle's members (those with a record, and the leader) as seen at {@code nowMillis}. */
    public void observe(ClusterState cluster, long nowMillis) {
        for (Member member : cluster.members().values()) {
            if (SpareRules.needsSlot(member)) {
                lastSeen.put(member.name(), nowMillis);
            } else {
                // A spare streams from nobody: no slot is kept for it (one it had as a read replica is dropped).
                lastSeen.remove(member.name());
            }
        }
        cluster.leader().ifPresent(l -> lastSeen.put(l.member(), nowMillis));
    }

    /** Takes one cycle's assignments, after {@link #observe}: which members the controller drains ({@link SlotRules#drainingSeen}). */
    public void observeAssignments(Map<String, Assignment> assignments) {
        drainingSeen = SlotRules.drainingSeen(drainingSeen, assignments, lastSeen.keySet());
    }

    /**
     * The members a leader named {@code self} keeps a slot for at {@code nowMillis} ({@link SlotRules#keep});
     * first forgets the members not seen within the retention.
     */
    public Set<String> toKeep(ClusterState cluster, String self, long nowMillis) {
        lastSeen.entrySet().removeIf(e -> nowMillis - e.getValue() > retentionMillis);
        Set<String> live = cluster.members().values().stream().filter(SpareRules::needsSlot).map(Member::name)
                .collect(Collectors.toSet());
        return SlotRules.keep(lastSeen.keySet(), live, drainingSeen, self);
    }
}
