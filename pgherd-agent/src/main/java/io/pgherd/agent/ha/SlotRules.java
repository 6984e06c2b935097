package io.pgherd.agent.ha;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.pgherd.cluster.Assignment;

/**
 * Which members the leader keeps a replication slot for, a pure rule. A member with a live record keeps
 * its slot (it streams, or is about to). A member seen lately (within {@code slot_retention}) but without a
 * record now keeps it too, so one that restarts streams at once from where it was, unless the controller
 * marked it draining: it is being removed, its slot was or will be dropped by the remove task, and the leader
 * must not put it back. The leader remembers a member it saw draining until its assignment says otherwise (a
 * removal rolled back) or the member is forgotten: after its release the assignment is deleted, and the slot of
 * a member released must not come back either.
 *
 * <p>A member that does not lead keeps no slot at all: every member streams from the leader, so a slot on a
 * standby is one a clone made there ({@code pg_basebackup} from a {@code clonefrom} member or the standby the
 * controller chose) or one left from when the member led. The cloned member drops its own once it follows the
 * leader, but a clone that died mid-way, or a member removed before it followed, leaves it behind, and an inactive
 * slot keeps WAL on that standby for good. A standby drops a slot once it has seen it inactive for
 * {@link #STANDBY_SLOT_GRACE_MILLIS} (never one in use: a running clone's is active, and the grace covers the
 * moment between a clone creating its slot and streaming through it).
 */
public final class SlotRules {
    /** How long a standby lets a slot on its own server stay inactive before dropping it. */
    public static final long STANDBY_SLOT_GRACE_MILLIS = 60_000;

    private SlotRules() {
    }

    /**
     * When each inactive slot of a standby's server was first seen inactive, after this cycle's look: slots no longer
     * inactive (in use, or gone) are forgotten, new ones start now.
     *
     * @param before the same map after the previous look
     * @param inactiveNow the server's inactive physical slots now
     */
    public static Map<String, Long> inactiveSince(Map<String, Long> before, Set<String> inactiveNow, long nowMillis) {
        Map<String, Long> next = new TreeMap<>();
        for (String slot : inactiveNow) {
            next.put(slot, before.getOrDefault(slot, nowMillis));
        }
        return next;
    }

    /** The slots a standby drops now: those seen inactive for at least {@link #STANDBY_SLOT_GRACE_MILLIS}. */
    public static Set<String> staleOnStandby(Map<String, Long> inactiveSince, long nowMillis) {
        Set<String> drop = new TreeSet<>();
        inactiveSince.forEach((slot, since) -> {
            if (nowMillis - since >= STANDBY_SLOT_GRACE_MILLIS) {
                drop.add(slot);
            }
        });
        return drop;
    }

    /**
     * The members known to be draining after this cycle.
     *
     * @param before those known before it
     * @param assignments the controller's assignments now, by member
     * @param tracked the members the leader still remembers (seen within the retention): others are forgotten
     */
    public static Set<String> drainingSeen(Set<String> before, Map<String, Assignment> assignments, Set<String> tracked) {
        Set<String> next = new TreeSet<>(before);
        assignments.values().stream().filter(Assignment::draining).map(Assignment::member).forEach(next::add);
        next.removeIf(member -> !tracked.contains(member)
                || (assignments.get(member) != null && !assignments.get(member).draining()));
        return next;
    }

    /**
     * The members to keep a slot for.
     *
     * @param tracked the members seen within the retention (the leader itself included)
     * @param live the members with a live record that stream from someone (not spares)
     * @param drainingSeen the members known to be draining ({@link #drainingSeen})
     * @param self the leader, which needs no slot
     */
    public static Set<String> keep(Set<String> tracked, Set<String> live, Set<String> drainingSeen, String self) {
        Set<String> keep = new TreeSet<>();
        for (String member : tracked) {
            if (!member.equals(self) && (live.contains(member) || !drainingSeen.contains(member))) {
                keep.add(member);
            }
        }
        return keep;
    }
}
