package io.pgherd.agent.ha;

import java.util.Comparator;
import java.util.Optional;

import io.pgherd.agent.ha.Decision.Action;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * The rules of a spare agent ({@code agent.role: spare}), around the HA rules: a spare holds no data and runs
 * no PostgreSQL until the controller assigns it ({@code assignments/<member>}, role {@code replica}); then it
 * clones (from a running standby tagged clonefrom, else a running standby, the leader only when no standby
 * can serve) and serves as a read replica that never takes the key, under the usual {@link HaRules}. When
 * its assignment goes back to {@code spare} or is deleted, it stops PostgreSQL and wipes its data, and is a
 * spare again. It never initializes a cluster. An assignment of a newer release leaves it as it is. Pure:
 * no I/O, no clock.
 */
public final class SpareRules {
    /** The role a spare without an assignment publishes in its member record. */
    public static final String SPARE_ROLE = "spare";

    private SpareRules() {
    }

    /** Whether the assignment asks this spare to serve as a read replica. */
    public static boolean assigned(Optional<Assignment> assignment) {
        return assignment.filter(Assignment::understood).map(a -> a.role() == Assignment.Role.REPLICA).orElse(false);
    }

    /**
     * Whether the leader keeps a replication slot for {@code member}: not for a spare, which streams from nobody
     * (its slot, if it had one as a read replica, is then dropped by the leader once inactive).
     */
    public static boolean needsSlot(Member member) {
        return !SPARE_ROLE.equals(member.role());
    }

    /**
     * Whether this spare serves as a read replica after this cycle's read: what a {@link AssignmentRead.Found} or
     * {@link AssignmentRead.Absent} assignment says; {@code before} when the assignment is unknown (unreadable, or the
     * DCS was not read), so a read replica does not publish itself a spare on a read that told nothing.
     */
    public static boolean assigned(AssignmentRead read, boolean before) {
        if (read instanceof AssignmentRead.Found found) {
            return assigned(Optional.of(found.assignment()));
        }
        return read instanceof AssignmentRead.Absent ? false : before;
    }

    /**
     * Decides one cycle of a spare agent. It stops PostgreSQL and wipes its data only on an assignment read from the
     * DCS that says spare, or on none there (deleted: released); never when the read failed or the key holds what
     * cannot be read (then a member with data goes on under the {@link HaRules}, one without waits).
     *
     * @param assignment this member's assignment, as this cycle read it
     * @param me the spare's settings (never a failover candidate)
     */
    public static Decision decide(ClusterState cluster, LocalState local, HaSettings me, AssignmentRead assignment,
                                  long nowMillis) {
        if (!local.dcsReachable() || !local.sessionAlive()) {
            return HaRules.decide(cluster, local, me, nowMillis);
        }
        if (assignment instanceof AssignmentRead.Unreadable || assignment instanceof AssignmentRead.NotRead) {
            String unknown = assignment instanceof AssignmentRead.Unreadable ? "the assignment of this member cannot be read"
                    : "the assignment of this member was not read";
            if (!local.dataDirectory()) {
                return Decision.of(Action.NONE, unknown + ": waiting as a spare until it is known");
            }
            Decision ha = HaRules.decide(cluster, local, me, nowMillis);
            return new Decision(ha.action(), ha.target(), unknown + ": keeping its data until it is known; " + ha.sentence());
        }
        return decide(cluster, local, me, assignment.found(), nowMillis);
    }

    /** One cycle with the assignment read from the DCS: {@code assignment} empty when the key is absent. */
    private static Decision decide(ClusterState cluster, LocalState local, HaSettings me, Optional<Assignment> assignment,
                                   long nowMillis) {
        if (assignment.isPresent() && !assignment.get().understood()) {
            return Decision.of(Action.NONE, "the assignment of this member is of a newer release (format "
                    + assignment.get().format() + ", role " + assignment.get().role() + "): leaving the member as it is");
        }
        if (!assigned(assignment)) {
            if (local.dataDirectory() || local.running()) {
                return Decision.of(Action.RETIRE, "no longer assigned as a read replica"
                        + (assignment.isPresent() ? " (assigned spare)" : " (no assignment)")
                        + ": stopping PostgreSQL and wiping its data to be a spare again");
            }
            return Decision.of(Action.NONE, "spare: no data, waiting for the controller to assign this member");
        }
        if (!local.dataDirectory()) {
            if (cluster.leader().isEmpty()) {
                return Decision.of(Action.NONE, "assigned as a read replica, but the cluster has no leader: waiting");
            }
            String leader = cluster.leader().get().member();
            Optional<Member> named = namedSource(cluster, me.name(), leader, assignment.get().cloneFrom());
            if (named.isPresent()) {
                return Decision.of(Action.CLONE, named.get().name(), "assigned as a read replica: cloning it from "
                        + named.get().name() + ", as the controller asks");
            }
            Optional<Member> source = cloneSource(cluster, me.name(), leader);
            if (source.isPresent()) {
                return Decision.of(Action.CLONE, source.get().name(), "assigned as a read replica: cloning it from "
                        + source.get().name() + (source.get().cloneFrom() ? " (tagged clonefrom)" : "")
                        + ", a standby of the leader " + leader);
            }
            return Decision.of(Action.CLONE, leader, "assigned as a read replica: cloning it from the leader " + leader
                    + " (no running standby to clone from)");
        }
        return HaRules.decide(cluster, local, me, nowMillis);
    }

    /**
     * The member the controller named to clone from, when it can serve: it runs, and is the leader or a standby in
     * recovery on a known timeline; empty when none is named or it cannot (the spare then makes its own choice).
     */
    static Optional<Member> namedSource(ClusterState cluster, String me, String leader, String cloneFrom) {
        if (cloneFrom == null || cloneFrom.isEmpty() || cloneFrom.equals(me)) {
            return Optional.empty();
        }
        return Optional.ofNullable(cluster.members().get(cloneFrom))
                .filter(m -> m.running() && (m.name().equals(leader) || (m.inRecovery() && m.timeline() > 0)));
    }

    /**
     * The standby a new read replica clones from: a running standby of the leader tagged clonefrom, else a running
     * failover candidate streaming from it (lowest name first); empty when none can serve (the leader then does).
     */
    static Optional<Member> cloneSource(ClusterState cluster, String me, String leader) {
        Comparator<Member> order = Comparator.comparing((Member m) -> !m.cloneFrom()).thenComparing(Member::name);
        return cluster.members().values().stream()
                .filter(m -> !m.name().equals(me) && !m.name().equals(leader) && m.running() && m.inRecovery()
                        && m.timeline() > 0 && leader.equals(m.following()) && needsSlot(m)
                        && (m.cloneFrom() || !m.noFailover()))
                .min(order);
    }
}
