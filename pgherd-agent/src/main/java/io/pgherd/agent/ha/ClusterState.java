package io.pgherd.agent.ha;

import java.util.Map;
import java.util.Optional;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.FailoverRequest;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.SyncState;

/**
 * The cluster as the DCS showed it at the start of one cycle: what {@link HaRules} decides on, taken from
 * one {@link ClusterSnapshot} of the cluster model ({@link #of}).
 *
 * @param leader who holds the leader key and its epoch (the key's create revision), if anyone
 * @param members every member with a live record, by name
 * @param initializedBy the member that won the {@code initialize} key, or empty before anyone did
 * @param lastLeaderPosition the last WAL position the leader published in {@code status} (0: unknown)
 * @param switchover a requested switchover or failover, if any
 * @param sync the {@code sync} key (synchronous mode), if present
 * @param paused maintenance mode: no automatic failover
 * @param stoppedLeader the last leader, when its agent stopped cleanly while it led and no leader led since
 */
public record ClusterState(Optional<Leader> leader, Map<String, Member> members, Optional<String> initializedBy,
                           long lastLeaderPosition, Optional<Switchover> switchover, Optional<Sync> sync,
                           boolean paused, Optional<StoppedLeader> stoppedLeader) {
    /** The holder of the leader key. */
    public record Leader(String member, long epoch) {
    }

    /**
     * A leader whose agent stopped cleanly while it led ({@code pgherd down}, an agent restart): the
     * {@code status} record it wrote last.
     *
     * @param member the leader
     * @param position its WAL position then
     * @param timeline its timeline then
     */
    public record StoppedLeader(String member, long position, int timeline) {
    }

    /** A cluster whose last leader did not stop cleanly while leading (or that leads now). */
    public ClusterState(Optional<Leader> leader, Map<String, Member> members, Optional<String> initializedBy,
                        long lastLeaderPosition, Optional<Switchover> switchover, Optional<Sync> sync, boolean paused) {
        this(leader, members, initializedBy, lastLeaderPosition, switchover, sync, paused, Optional.empty());
    }

    /**
     * The {@code sync} key, written only by a leader in synchronous mode: {@code standby} has flushed every
     * commit {@code leader} acknowledged (see {@link SynchronousStandby}). An empty {@code standby} means the
     * leader has no synchronous standby: its commits are acknowledged without any standby, so only the leader
     * itself is known to hold them all, and no standby takes the key automatically.
     *
     * @param leader the leader that wrote the key (empty when the key does not say)
     * @param standby the synchronous standby, or empty for none
     */
    public record Sync(String leader, String standby) {
        /** A key naming {@code standby} without saying which leader wrote it. */
        public static Sync withoutLeader(String standby) {
            return new Sync("", standby);
        }

        static Sync of(SyncState key) {
            return new Sync(key.leader(), key.standby());
        }

        /** The {@code sync} key's record saying this. */
        public SyncState record() {
            return new SyncState(leader, standby);
        }
    }

    /**
     * A switchover (planned, with {@code from} the current leader) or failover (any time) request.
     *
     * @param from the leader to move away from, or empty for a failover
     * @param to the candidate that should lead, or empty for "the best one"
     * @param notBeforeMillis epoch milliseconds before which nothing happens (a scheduled switchover; 0: now)
     */
    public record Switchover(String from, String to, long notBeforeMillis) {
        /** ISO-8601 local date and time with an offset ({@code Z}, {@code +02}, {@code +0200}, {@code +02:00}). */
        private static final java.time.format.DateTimeFormatter TIME = new java.time.format.DateTimeFormatterBuilder()
                .append(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                .optionalStart().appendPattern("[XXX][XX][X]").optionalEnd()
                .toFormatter(java.util.Locale.ROOT);

        /** {@code from n1 to n2}, {@code from whoever leads to the best candidate, not before ...}. */
        public String describe() {
            return "from " + (from.isEmpty() ? "whoever leads" : from) + " to " + (to.isEmpty() ? "the best candidate" : to)
                    + (notBeforeMillis > 0 ? ", not before " + java.time.Instant.ofEpochMilli(notBeforeMillis) : "");
        }

        /**
         * Parses the time of a scheduled switchover: ISO-8601 with a time-zone offset
         * ({@code 2030-01-02T03:04:05Z}, {@code 2030-01-02T03:04+02}, {@code 2030-01-02T03:04:05.5+02:00}).
         *
         * @throws IllegalArgumentException without an offset or when it is not such a time
         */
        public static java.time.Instant parseTime(String text) {
            java.time.temporal.TemporalAccessor parsed;
            try {
                parsed = TIME.parse(text.strip());
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("must be an ISO-8601 time such as 2030-01-02T03:04:05+02:00 (got '"
                        + text + "')");
            }
            if (!parsed.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS)) {
                throw new IllegalArgumentException("needs a time zone offset such as Z or +02:00 (got '" + text + "')");
            }
            return java.time.OffsetDateTime.from(parsed).toInstant();
        }
    }

    public ClusterState {
        members = Map.copyOf(members);
    }

    /** What {@code snapshot} says the rules need. */
    public static ClusterState of(ClusterSnapshot snapshot) {
        return new ClusterState(snapshot.leader().map(l -> new Leader(l.member(), l.epoch())), snapshot.members(),
                snapshot.initializedBy(), snapshot.lastLeaderPosition(), snapshot.failover().map(ClusterState::switchover),
                snapshot.sync().map(Sync::of), snapshot.config().pause(), snapshot.status()
                        .filter(s -> s.stoppedLeader() != null && !s.stoppedLeader().isEmpty())
                        .map(s -> new StoppedLeader(s.stoppedLeader(), s.position(), s.timeline())));
    }

    private static Switchover switchover(FailoverRequest request) {
        return new Switchover(request.from(), request.to(), request.notBeforeMillis());
    }

    /** The standby the {@code sync} key names, if it names one. */
    public Optional<String> synchronousStandby() {
        return sync.map(Sync::standby).filter(s -> !s.isEmpty());
    }

    /** Whether {@code name} holds the leader key. */
    public boolean ledBy(String name) {
        return leader.isPresent() && leader.get().member().equals(name);
    }
}
