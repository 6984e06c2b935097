package io.pgherd.controller.requests;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.HaRules;
import io.pgherd.cluster.Member;
import io.pgherd.controller.requests.RequestRefused.Kind;

/**
 * A switchover or failover checked against the cluster as the DCS showed it, ready to be written to
 * the {@code failover} key, and the test of whether it has happened. The checks are those of the
 * agents' {@code POST /switchover} and {@code /failover}: the agents would ignore or wait forever
 * on a request that fails them. Immutable.
 *
 * @param kind switchover (planned, away from the named leader) or failover (away from whoever leads)
 * @param from what the {@code failover} key gets in {@code from}: the leader for a switchover, empty for a failover
 * @param to the candidate, or empty for "the best candidate"
 * @param notBeforeMillis epoch milliseconds before which the agents do nothing (0: now)
 * @param leaderBefore who led when the request was checked, or empty
 */
public record SwitchoverRequest(Type kind, String from, String to, long notBeforeMillis, String leaderBefore) {
    /** A planned switchover or a failover. */
    public enum Type {
        SWITCHOVER, FAILOVER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where a written request stands in a later read of the cluster. */
    public enum Progress {
        /** Not done yet: the old leader still leads, or nobody does. */
        PENDING,
        /** The candidate leads (without a candidate: someone other than the old leader does). */
        DONE,
        /** The request is gone and another member than the candidate leads. */
        OTHER_LEADER,
        /** The request is gone and the old leader still leads: it was cancelled. */
        CANCELLED
    }

    /**
     * Checks a switchover.
     *
     * @param leader the leader named by the user, or empty for the current one
     * @param candidate the candidate named by the user, or empty for the best one
     * @throws RequestRefused saying why the cluster does not allow it (the field at fault: leader, candidate)
     */
    public static SwitchoverRequest switchover(ClusterState cluster, String leader, String candidate, long notBeforeMillis) {
        refuseWhilePausedOrPending(Type.SWITCHOVER, cluster);
        Optional<String> current = cluster.leader().map(ClusterState.Leader::member);
        if (current.isEmpty()) {
            throw new RequestRefused(Kind.CONFLICT, "", "the cluster has no leader, so there is nothing to switch over from"
                    + (leader.isEmpty() ? "" : " (got --leader " + leader + ")") + "; use 'pgherd failover --candidate NAME' instead");
        }
        if (!leader.isEmpty() && !leader.equals(current.get())) {
            throw new RequestRefused(Kind.CONFLICT, "leader", "leader name does not match: the leader is " + current.get() + " (got --leader " + leader + ")");
        }
        checkCandidate(Type.SWITCHOVER, cluster, candidate);
        return new SwitchoverRequest(Type.SWITCHOVER, current.get(), candidate, notBeforeMillis, current.get());
    }

    /**
     * Checks a failover: away from whoever leads, if anyone, to {@code candidate}.
     *
     * @param candidate the candidate named by the user, or empty for the best one (only when someone leads: without a
     *                  leader the agents already elect the best candidate themselves)
     * @throws RequestRefused saying why the cluster does not allow it (the field at fault: leader, candidate)
     */
    public static SwitchoverRequest failover(ClusterState cluster, String candidate) {
        refuseWhilePausedOrPending(Type.FAILOVER, cluster);
        String current = cluster.leader().map(ClusterState.Leader::member).orElse("");
        if (current.isEmpty() && candidate.isEmpty()) {
            throw new RequestRefused(Kind.INVALID, "candidate", "the cluster has no leader and the agents elect the best candidate by themselves;"
                    + " name the member to promote with --candidate");
        }
        checkCandidate(Type.FAILOVER, cluster, candidate);
        return new SwitchoverRequest(Type.FAILOVER, "", candidate, 0, current);
    }

    private static void refuseWhilePausedOrPending(Type kind, ClusterState cluster) {
        if (cluster.paused()) {
            throw new RequestRefused(Kind.CONFLICT, "", "maintenance mode is on and the agents do not act on a " + kind.label()
                    + " while it is; run 'pgherd resume' first");
        }
        if (cluster.switchover().isPresent()) {
            throw new RequestRefused(Kind.CONFLICT, "", "a " + (cluster.switchover().get().from().isEmpty() ? "failover" : "switchover")
                    + " is already pending (" + cluster.switchover().get().describe()
                    + "); cancel it first with 'pgherd switchover --cancel'");
        }
    }

    private static void checkCandidate(Type kind, ClusterState cluster, String candidate) {
        Optional<String> sync = cluster.synchronousStandby();
        if (candidate.isEmpty()) {
            boolean any = cluster.members().values().stream().anyMatch(m -> !cluster.ledBy(m.name()) && promotable(m)
                    && (kind == Type.FAILOVER || sync.isEmpty() || sync.get().equals(m.name())));
            if (!any) {
                throw new RequestRefused(Kind.CONFLICT, "", kind.label() + " is not possible: no running standby may take over"
                        + sync.filter(s -> kind == Type.SWITCHOVER)
                        .map(s -> " (in synchronous mode only the synchronous standby " + s + " may)").orElse(""));
            }
            return;
        }
        Member m = cluster.members().get(candidate);
        if (m == null) {
            throw new RequestRefused(Kind.NOT_FOUND, "candidate", "candidate " + candidate + " is not a member of the cluster (members: "
                    + (cluster.members().isEmpty() ? "none" : String.join(", ", new TreeSet<>(cluster.members().keySet()))) + ")");
        }
        if (cluster.ledBy(candidate)) {
            throw new RequestRefused(Kind.CONFLICT, "candidate", "candidate " + candidate + " already is the leader");
        }
        if (m.noFailover() || m.role().equals("replica")) {
            throw new RequestRefused(Kind.CONFLICT, "candidate", "candidate " + candidate + " is a read replica (nofailover): it is never promoted;"
                    + " pick a standby");
        }
        if (!m.running()) {
            throw new RequestRefused(Kind.CONFLICT, "candidate", "candidate " + candidate + " is not running (state " + m.state() + ")");
        }
        if (!m.inRecovery()) {
            throw new RequestRefused(Kind.CONFLICT, "candidate", "candidate " + candidate + " is not a standby: its PostgreSQL runs as a primary");
        }
        if (kind == Type.SWITCHOVER && sync.isPresent() && !sync.get().equals(candidate)) {
            throw new RequestRefused(Kind.CONFLICT, "candidate", "in synchronous mode only the synchronous standby " + sync.get()
                    + " may take over (got candidate " + candidate + ")");
        }
    }

    /** A failover candidate whose PostgreSQL runs as a standby. */
    private static boolean promotable(Member m) {
        return !m.noFailover() && !m.role().equals("replica") && m.running() && m.inRecovery();
    }

    /** Where this request stands in {@code now}. */
    public Progress progress(ClusterState now) {
        Optional<String> leader = now.leader().map(ClusterState.Leader::member);
        if (leader.isPresent() && (to.isEmpty() ? !leader.get().equals(leaderBefore) : leader.get().equals(to))) {
            return Progress.DONE;
        }
        if (now.switchover().isPresent() || leader.isEmpty()) {
            return Progress.PENDING;
        }
        return leader.get().equals(leaderBefore) ? Progress.CANCELLED : Progress.OTHER_LEADER;
    }

    /** {@code switchover from n1 to n2}, {@code failover to n2 (the cluster has no leader)}, .... */
    public String summary() {
        if (kind == Type.FAILOVER && leaderBefore.isEmpty()) {
            return "failover to " + to + " (the cluster has no leader)";
        }
        return kind.label() + " " + new ClusterState.Switchover(leaderBefore, to, notBeforeMillis).describe();
    }

    /**
     * The question to confirm it with, naming who leads and who would take over: {@code Switch over
     * from n1 to n2?}. Without a named candidate it names the one the agents would pick in
     * {@code cluster} now ({@link HaRules#best}); they pick again when they act, so it says so.
     */
    public String question(ClusterState cluster) {
        String verb = kind == Type.SWITCHOVER ? "Switch over" : "Fail over";
        String target = to.isEmpty() ? HaRules.best(cluster, leaderBefore, cluster.synchronousStandby().isPresent())
                .map(best -> best + " (the best candidate now)").orElse("the best candidate") : to;
        String when = notBeforeMillis > 0 ? ", not before " + Instant.ofEpochMilli(notBeforeMillis) : "";
        if (leaderBefore.isEmpty()) {
            return verb + " to " + target + " (the cluster has no leader)" + when + "?";
        }
        return verb + " from " + leaderBefore + " to " + target + when + "?";
    }

    /** Parses {@code --scheduled}; see {@link ClusterState.Switchover#parseTime}. */
    public static Instant parseScheduled(String text) {
        return ClusterState.Switchover.parseTime(text);
    }
}
