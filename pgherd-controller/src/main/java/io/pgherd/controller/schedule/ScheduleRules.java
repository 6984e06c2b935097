package io.pgherd.controller.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.Task;

/**
 * Whether the acting controller fires a schedule now: one pure function of the schedule as read (its expression, zone,
 * policy, the due time it last fired for and since when it counts), the tasks that fired it, the time and how late a
 * due time may still count as on time. No I/O, no clock: every rule is a row of {@code ScheduleRulesTest}.
 *
 * <p>Only the latest due time at or before now is ever considered, and only once: one after {@code since} and after
 * the last one fired, with no task already made for it. A controller that acts fires a due time within a cycle, and one
 * that takes over from a controller killed at that moment within the TTL and a cycle; so a due time more than
 * {@code onTime} old was missed while no controller acted, and fires once (on return) only when the schedule's policy
 * says {@code fire-once}. The earlier missed ones never fire.
 */
public final class ScheduleRules {
    /** The least time a due time counts as on time, whatever the TTL. */
    public static final Duration MIN_ON_TIME = Duration.ofMinutes(1);

    private ScheduleRules() {
    }

    /**
     * How late a due time may be fired and still count as on time, for a controller of this TTL and loop wait: a
     * takeover (a TTL) plus a cycle of each controller, twice over, and never less than {@link #MIN_ON_TIME}.
     */
    public static Duration onTime(Duration ttl, Duration loopWait) {
        Duration takeover = ttl.plus(loopWait).multipliedBy(2);
        return takeover.compareTo(MIN_ON_TIME) > 0 ? takeover : MIN_ON_TIME;
    }

    /**
     * @param schedule  the schedule as read
     * @param tasks     the {@value ScheduleTasks#TYPE} tasks of this schedule (any state)
     * @param nowMillis the time, epoch ms
     * @param onTime    how late a due time still counts as on time ({@link #onTime})
     */
    public static ScheduleDecision decide(Schedule schedule, Collection<Task> tasks, long nowMillis, Duration onTime) {
        String name = schedule.name();
        if (!schedule.understood()) {
            return ScheduleDecision.none(name, "written by a newer pgherd (format " + schedule.format() + ", action "
                    + schedule.action().describe() + "): leaving it");
        }
        if (!schedule.enabled()) {
            return ScheduleDecision.none(name, "disabled");
        }
        Cron cron;
        try {
            cron = Cron.parse(schedule.cron(), schedule.zone());
        } catch (IllegalArgumentException e) {
            return ScheduleDecision.none(name, "cannot be read (" + e.getMessage() + "): leaving it");
        }
        Optional<Task> underWay = tasks.stream().filter(t -> !t.finished()).findFirst();
        if (underWay.isPresent()) {
            return ScheduleDecision.none(name, "task " + underWay.get().id() + " fires it for "
                    + ScheduleTasks.dueOf(underWay.get()).map(Instant::ofEpochMilli).map(Object::toString).orElse("a due time"));
        }
        Instant now = Instant.ofEpochMilli(nowMillis);
        Optional<Instant> latest = cron.latestAtOrBefore(now);
        long floor = Math.max(schedule.sinceMillis(), schedule.lastFiredMillis());
        String next = cron.next(now).map(n -> "; next due at " + n).orElse("");
        if (latest.isEmpty() || latest.get().toEpochMilli() <= floor) {
            return ScheduleDecision.none(name, (schedule.lastFiredMillis() > 0 ? "last fired for "
                    + Instant.ofEpochMilli(schedule.lastFiredMillis()) : "not due since it was added or enabled") + next);
        }
        long due = latest.get().toEpochMilli();
        Optional<Task> made = tasks.stream().filter(t -> ScheduleTasks.dueOf(t).equals(Optional.of(due))).findFirst();
        if (made.isPresent()) {
            return ScheduleDecision.none(name, "task " + made.get().id() + " already fired it for " + latest.get() + " ("
                    + made.get().state().label() + ")" + next);
        }
        String action = schedule.action().describe();
        long late = nowMillis - due;
        if (late <= onTime.toMillis()) {
            return ScheduleDecision.fire(name, due, "due at " + latest.get() + ": firing it (" + action + ")");
        }
        String missed = "due at " + latest.get() + " was missed (" + Duration.ofMillis(late).toSeconds() + " s ago, more than "
                + onTime.toSeconds() + " s: no controller acted then)";
        return switch (schedule.missed()) {
            case FIRE_ONCE -> ScheduleDecision.fire(name, due, missed + ": firing it once now, as its policy fire-once says ("
                    + action + ")");
            case SKIP -> ScheduleDecision.none(name, missed + ": skipped, as its policy skip says" + next);
        };
    }
}
