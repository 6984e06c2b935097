package io.pgherd.agent.ha;

import java.util.Map;
import java.util.Set;
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
 */
public final class SlotRules {
    private SlotRules() {
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
