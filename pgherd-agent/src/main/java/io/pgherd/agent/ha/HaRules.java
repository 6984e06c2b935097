package io.pgherd.agent.ha;

import java.util.Optional;

import io.pgherd.agent.ha.Decision.Action;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * The HA rules (DESIGN.md §3) as one pure function from what the DCS shows and what the agent found
 * locally to what it does this cycle, with one sentence saying why. No I/O, no clock: every rule is
 * a unit test.
 */
public final class HaRules {
    private HaRules() {
    }

    /** Decides one cycle of a member without an assignment. {@code nowMillis} only matters for scheduled switchovers. */
    public static Decision decide(ClusterState cluster, LocalState local, HaSettings me, long nowMillis) {
        return decide(cluster, local, me, Optional.empty(), nowMillis);
    }

    /**
     * Decides one cycle. {@code nowMillis} only matters for scheduled switchovers.
     *
     * @param assignment this member's assignment, if the controller wrote one: a member without data clones from the
     *                   member it names ({@link Assignment#cloneFrom}) when that one can serve
     */
    public static Decision decide(ClusterState cluster, LocalState local, HaSettings me, Optional<Assignment> assignment,
                                  long nowMillis) {
        String name = me.name();
        if (!local.dcsReachable() || !local.sessionAlive()) {
            String why = !local.sessionAlive() ? "the DCS session was lost" : "the DCS cannot be reached";
            if (local.running() && !local.inRecovery()) {
                return Decision.of(Action.DEMOTE, why + ": demoting, so a primary cut off from the DCS takes no writes");
            }
            return Decision.of(Action.NONE, why + ": changing nothing until it answers");
        }
        if (!local.dataDirectory()) {
            if (cluster.ledBy(name)) {
                return Decision.of(Action.RELEASE, "holding the leader key without a data directory: releasing it");
            }
            return bootstrap(cluster, me, assignment);
        }
        if (cluster.ledBy(name)) {
            return lead(cluster, local, me, nowMillis);
        }
        if (cluster.leader().isPresent()) {
            return follow(cluster.leader().get().member(), local, me);
        }
        Decision d = noLeader(cluster, local, me, nowMillis);
        if (d.action() == Action.NONE && !cluster.paused() && local.running() && !local.inRecovery()) {
            // A primary without the key that may not take it must not go on taking writes.
            return Decision.of(Action.DEMOTE, "no leader and this primary may not take the key (" + d.sentence()
                    + "): demoting");
        }
        return d;
    }

    private static Decision bootstrap(ClusterState cluster, HaSettings me, Optional<Assignment> assignment) {
        if (cluster.initializedBy().isEmpty()) {
            if (me.noFailover()) {
                return Decision.of(Action.NONE, "no cluster yet; a read replica waits for a failover candidate to initialize it");
            }
            return Decision.of(Action.INITIALIZE, "no cluster yet: initializing it");
        }
        if (cluster.leader().isPresent()) {
            String leader = cluster.leader().get().member();
            Optional<Member> named = assignment.filter(Assignment::understood).map(Assignment::cloneFrom)
                    .map(cluster.members()::get).filter(m -> canServeClone(m, me.name(), leader));
            if (named.isPresent()) {
                return Decision.of(Action.CLONE, named.get().name(), "no data directory: cloning it from "
                        + named.get().name() + " as the controller's assignment asks, a standby of the leader " + leader);
            }
            Optional<Member> source = cluster.members().values().stream()
                    .filter(m -> m.cloneFrom() && canServeClone(m, me.name(), leader))
                    .min(java.util.Comparator.comparing(Member::name));
            if (source.isPresent()) {
                return Decision.of(Action.CLONE, source.get().name(), "no data directory: cloning it from "
                        + source.get().name() + " (tagged clonefrom), a standby of the leader " + leader);
            }
            return Decision.of(Action.CLONE, leader, "no data directory: cloning it from the leader " + leader);
        }
        if (cluster.initializedBy().get().equals(me.name())) {
            return Decision.of(Action.INITIALIZE, "this member won the initialize key but its initialization did not"
                    + " finish: initializing again");
        }
        return Decision.of(Action.NONE, "no data directory and no leader to clone from (initialized by "
                + cluster.initializedBy().get() + "): waiting");
    }

    /**
     * Whether a new member {@code me} may clone from {@code m} instead of the leader: another member than both, running,
     * in recovery on a known timeline, following the leader.
     */
    private static boolean canServeClone(Member m, String me, String leader) {
        return !m.name().equals(me) && !m.name().equals(leader) && m.running() && m.inRecovery() && m.timeline() > 0
                && leader.equals(m.following());
    }

    private static Decision lead(ClusterState cluster, LocalState local, HaSettings me, long nowMillis) {
        long epoch = cluster.leader().get().epoch();
        if (!local.leaseConfirmed()) {
            // The key may vanish before the store answers again, and another member promote.
            if (local.running() && !local.inRecovery()) {
                return Decision.of(Action.DEMOTE, "holding the leader key but the DCS has not renewed this member's"
                        + " session in time: demoting, so no other primary can be promoted while this one takes writes");
            }
            return Decision.of(Action.NONE, "holding the leader key but the DCS has not renewed this member's session"
                    + " in time: neither starting nor promoting PostgreSQL until it does");
        }
        if (!local.running()) {
            if (local.failedStarts() >= me.maxStartAttempts()) {
                return Decision.of(Action.RELEASE, "holding the leader key but PostgreSQL did not start in "
                        + local.failedStarts() + " attempts: releasing the key so another member can take over now");
            }
            return Decision.of(Action.START, "holding the leader key with PostgreSQL stopped: starting it (attempt "
                    + (local.failedStarts() + 1) + " of " + me.maxStartAttempts() + ")");
        }
        if (local.inRecovery()) {
            return Decision.of(Action.PROMOTE, "holding the leader key (epoch " + epoch + ") while in recovery: promoting");
        }
        Optional<ClusterState.Switchover> request = cluster.switchover();
        if (request.isPresent() && !cluster.paused()) {
            ClusterState.Switchover s = request.get();
            boolean fromMe = s.from().isEmpty() || s.from().equals(me.name());
            if (fromMe && s.notBeforeMillis() <= nowMillis) {
                Optional<Member> target = s.to().isEmpty() ? best(cluster, me.name(), me.synchronousMode())
                        .map(cluster.members()::get) : Optional.ofNullable(cluster.members().get(s.to()));
                if (target.isPresent() && healthyCandidate(target.get()) && target.get().inRecovery()) {
                    return Decision.of(Action.SWITCHOVER, target.get().name(), "switchover requested: handing the key to "
                            + target.get().name() + " after a clean shutdown");
                }
                return Decision.of(Action.NONE, "leading with the key (epoch " + epoch + "); the switchover waits: "
                        + (s.to().isEmpty() ? "no healthy candidate" : s.to() + " is not a healthy running standby"));
            }
        }
        return Decision.of(Action.NONE, "leading with the key (epoch " + epoch + ")");
    }

    private static Decision follow(String leader, LocalState local, HaSettings me) {
        if (local.running() && !local.inRecovery()) {
            return Decision.of(Action.DEMOTE, leader, leader + " holds the leader key but this node runs as a primary: demoting");
        }
        if (local.wasPrimary()) {
            return Decision.of(Action.REWIND, leader, "this node was a primary: rewinding it to follow the leader " + leader);
        }
        if (!local.running()) {
            return Decision.of(Action.START_AS_STANDBY, leader, "PostgreSQL is stopped: starting it as a standby of " + leader);
        }
        if (!leader.equals(local.following())) {
            return Decision.of(Action.FOLLOW, leader, "following the new leader " + leader
                    + (local.following().isEmpty() ? "" : " instead of " + local.following()));
        }
        if (local.stuckMillis() > me.stuckLimitMillis()) {
            return Decision.of(Action.RECLONE, leader, "not on the timeline of the leader " + leader + " for "
                    + local.stuckMillis() / 1000 + " s (its history forked off before this node's end of WAL): cloning it again");
        }
        return Decision.of(Action.NONE, "following the leader " + leader);
    }

    private static Decision noLeader(ClusterState cluster, LocalState local, HaSettings me, long nowMillis) {
        if (cluster.paused()) {
            return Decision.of(Action.NONE, "no leader, but maintenance mode is on: no automatic failover");
        }
        Optional<Decision> returning = leaderReturns(cluster, local, me);
        if (returning.isPresent()) {
            return returning.get();
        }
        if (!local.running()) {
            if (local.wasPrimary()) {
                return Decision.of(Action.DEMOTE, "no leader and this former primary is stopped: starting it read-only"
                        + " to be judged as a candidate");
            }
            return Decision.of(Action.START, "no leader and PostgreSQL is stopped: starting it (read-only) to be judged as a candidate");
        }
        if (me.noFailover()) {
            return Decision.of(Action.NONE, "no leader; this read replica never takes the key");
        }
        Optional<ClusterState.Switchover> request = cluster.switchover().filter(s -> s.notBeforeMillis() <= nowMillis
                && !s.to().isEmpty());
        if (request.isPresent() && !request.get().to().equals(me.name())) {
            Member wanted = cluster.members().get(request.get().to());
            boolean withinLag = wanted != null && (cluster.lastLeaderPosition() == 0
                    || cluster.lastLeaderPosition() - wanted.position() <= me.maximumLagOnFailover());
            if (wanted != null && healthyCandidate(wanted) && withinLag) {
                return Decision.of(Action.NONE, "no leader; the requested candidate " + wanted.name() + " takes the key");
            }
        }
        boolean requested = request.isPresent() && request.get().to().equals(me.name());
        Optional<ClusterState.Sync> sync = me.synchronousMode() ? cluster.sync() : Optional.empty();
        if (sync.isPresent() && !requested) {
            String standby = sync.get().standby();
            if (!standby.isEmpty() && !standby.equals(me.name())) {
                return Decision.of(Action.NONE, "no leader; in synchronous mode only the synchronous standby "
                        + standby + " may take the key");
            }
            if (standby.isEmpty() && !sync.get().leader().equals(me.name())) {
                // The last leader acknowledged commits that no standby was waited for: any standby may lack some.
                return Decision.of(Action.NONE, "no leader; in synchronous mode the last leader"
                        + (sync.get().leader().isEmpty() ? "" : " " + sync.get().leader())
                        + " had no synchronous standby, so only it holds every acknowledged commit:"
                        + " no automatic failover (a failover to a named candidate may be requested)");
            }
        }
        long lag = cluster.lastLeaderPosition() - local.position();
        if (cluster.lastLeaderPosition() > 0 && lag > me.maximumLagOnFailover()) {
            return Decision.of(Action.NONE, "no leader; " + lag + " bytes behind the last primary position, more than"
                    + " maximum_lag_on_failover " + me.maximumLagOnFailover() + ": not taking the key");
        }
        // The member known to hold every acknowledged commit takes the key without deferring to one further along.
        boolean synchronous = sync.filter(s -> s.standby().equals(me.name())
                || (s.standby().isEmpty() && s.leader().equals(me.name()))).isPresent();
        if (!requested && !synchronous) {
            for (Member other : cluster.members().values()) {
                if (!other.name().equals(me.name()) && healthyCandidate(other) && better(other, local.position(), me)) {
                    return Decision.of(Action.NONE, "no leader; " + other.name() + " is a better candidate (position "
                            + other.position() + " against " + local.position() + ")");
                }
            }
        }
        String as = requested ? "the requested candidate" : !synchronous ? "the most advanced healthy candidate"
                : sync.get().standby().isEmpty() ? "the last leader, which alone holds every acknowledged commit"
                : "the synchronous standby";
        return Decision.of(Action.TAKE_LEADERSHIP, "no leader: taking the key as " + as
                + " (position " + local.position() + ", " + Math.max(0, lag) + " bytes behind the last primary position)");
    }

    /**
     * After the leader's agent stopped cleanly while it led ({@code pgherd down} then {@code up}, an agent
     * restart), as Patroni's "healthiest node" check would have it: that leader holds every acknowledged
     * commit, so it takes the key back as the primary it was (no promotion, no new timeline, no rewind of
     * anyone), and the others wait for it for {@code leaderReturnMillis} of seeing no leader. Not when a
     * member is on a later timeline (someone was promoted since), nor for a former leader that runs as a
     * standby or whose starts failed; after the wait, the usual rules pick the best candidate. A read
     * replica only ever waits. Empty: the usual rules decide.
     */
    private static Optional<Decision> leaderReturns(ClusterState cluster, LocalState local, HaSettings me) {
        if (cluster.stoppedLeader().isEmpty()) {
            return Optional.empty();
        }
        ClusterState.StoppedLeader last = cluster.stoppedLeader().get();
        Optional<Member> later = cluster.members().values().stream().filter(m -> m.timeline() > last.timeline()).findFirst();
        if (later.isPresent()) {
            return Optional.empty();
        }
        if (last.member().equals(me.name())) {
            if (me.noFailover() || !local.wasPrimary() || (local.running() && local.inRecovery())
                    || local.failedStarts() >= me.maxStartAttempts()) {
                return Optional.empty();
            }
            return Optional.of(Decision.of(Action.RESUME, "no leader; this member led until its agent stopped cleanly"
                    + " (timeline " + last.timeline() + ", position " + last.position() + ") and no member is on a later"
                    + " timeline: taking the key back as the same primary"));
        }
        if (local.leaderlessMillis() < me.leaderReturnMillis()) {
            return Optional.of(Decision.of(Action.NONE, "no leader; waiting for " + last.member() + ", which led until its"
                    + " agent stopped cleanly (position " + last.position() + "), to take the key back (for up to "
                    + me.leaderReturnMillis() + " ms without a leader)"));
        }
        return Optional.empty();
    }

    /**
     * A member that could take the key: a failover candidate whose PostgreSQL runs and has answered
     * (a known timeline). A server still starting, e.g. replaying after a rewind, publishes timeline
     * 0: promoting it before it is consistent would leave a server that cannot start.
     */
    static boolean healthyCandidate(Member m) {
        return !m.noFailover() && m.running() && m.timeline() > 0;
    }

    /** Whether {@code other} beats a candidate at {@code position}: further along, then higher priority, then lower name. */
    static boolean better(Member other, long position, HaSettings me) {
        if (other.position() != position) {
            return other.position() > position;
        }
        if (other.failoverPriority() != me.failoverPriority()) {
            return other.failoverPriority() > me.failoverPriority();
        }
        return other.name().compareTo(me.name()) < 0;
    }

    /** The best healthy candidate other than {@code except}, or empty. */
    public static Optional<String> best(ClusterState cluster, String except, boolean synchronousMode) {
        if (synchronousMode && cluster.synchronousStandby().isPresent()) {
            Member sync = cluster.members().get(cluster.synchronousStandby().get());
            return sync != null && healthyCandidate(sync) ? Optional.of(sync.name()) : Optional.empty();
        }
        Member best = null;
        for (Member m : cluster.members().values()) {
            if (m.name().equals(except) || !healthyCandidate(m) || !m.inRecovery()) {
                continue;
            }
            if (best == null || m.position() > best.position() || (m.position() == best.position()
                    && (m.failoverPriority() > best.failoverPriority() || (m.failoverPriority() == best.failoverPriority()
                    && m.name().compareTo(best.name()) < 0)))) {
                best = m;
            }
        }
        return Optional.ofNullable(best).map(Member::name);
    }
}
