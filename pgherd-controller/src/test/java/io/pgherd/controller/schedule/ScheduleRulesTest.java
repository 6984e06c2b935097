package io.pgherd.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.Task;

/**
 * Every rule of {@link ScheduleRules} as a table row. The schedule sets 4 read replicas; a due time counts as on time
 * for 60 s. 2026-12-07 is a Monday. A task is written {@code STATE@due} ({@code -}: none); times are UTC instants.
 */
class ScheduleRulesTest {
    private static final Duration ON_TIME = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                      | cron            | zone          | missed    | on    | since                | last fired           | task                           | now                      | fire  | due                  | sentence
            not due since it was added                  | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T07:30:00Z     | false | -                    | not due since it was added or enabled; next due at 2026-12-07T08:00:00Z
            due: fires                                  | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T08:00:05Z     | true  | 2026-12-07T08:00:00Z | due at 2026-12-07T08:00:00Z: firing it (read_replicas=4)
            due this very millisecond: fires            | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T08:00:00Z     | true  | 2026-12-07T08:00:00Z | due at 2026-12-07T08:00:00Z: firing it (read_replicas=4)
            fired: not again for that due time          | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | 2026-12-07T08:00:00Z | -                              | 2026-12-07T08:00:30Z     | false | -                    | last fired for 2026-12-07T08:00:00Z; next due at 2026-12-08T08:00:00Z
            its task under way: not again               | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | RUNNING@2026-12-07T08:00:00Z   | 2026-12-07T08:00:30Z     | false | -                    | task fire_schedule-3-1 fires it for 2026-12-07T08:00:00Z
            its task failed: not again                  | 0 8 * * 1-5     | UTC           | fire-once | true  | 2026-12-07T07:00:00Z | -                    | FAILED@2026-12-07T08:00:00Z    | 2026-12-07T08:00:40Z     | false | -                    | task fire_schedule-3-1 already fired it for 2026-12-07T08:00:00Z (failed); next due at 2026-12-08T08:00:00Z
            taken over late, still on time              | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T08:01:00Z     | true  | 2026-12-07T08:00:00Z | due at 2026-12-07T08:00:00Z: firing it (read_replicas=4)
            missed, skip: skipped                       | 0 8 * * 1-5     | UTC           | skip      | true  | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T08:01:01Z     | false | -                    | due at 2026-12-07T08:00:00Z was missed (61 s ago, more than 60 s: no controller acted then): skipped, as its policy skip says; next due at 2026-12-08T08:00:00Z
            several missed, fire-once: the latest once  | 0 8 * * 1-5     | UTC           | fire-once | true  | 2026-12-03T00:00:00Z | -                    | -                              | 2026-12-07T09:30:00Z     | true  | 2026-12-07T08:00:00Z | due at 2026-12-07T08:00:00Z was missed (5400 s ago, more than 60 s: no controller acted then): firing it once now, as its policy fire-once says (read_replicas=4)
            missed and fired once: never twice          | 0 8 * * 1-5     | UTC           | fire-once | true  | 2026-12-03T00:00:00Z | 2026-12-07T08:00:00Z | SUCCEEDED@2026-12-07T08:00:00Z | 2026-12-07T09:31:00Z     | false | -                    | last fired for 2026-12-07T08:00:00Z; next due at 2026-12-08T08:00:00Z
            missed before it was added: never           | 0 8 * * 1-5     | UTC           | fire-once | true  | 2026-12-07T09:00:00Z | -                    | -                              | 2026-12-07T09:30:00Z     | false | -                    | not due since it was added or enabled; next due at 2026-12-08T08:00:00Z
            weekend: a weekday schedule waits           | 0 8 * * 1-5     | UTC           | fire-once | true  | 2026-12-04T09:00:00Z | 2026-12-04T08:00:00Z | -                              | 2026-12-05T08:00:05Z     | false | -                    | last fired for 2026-12-04T08:00:00Z; next due at 2026-12-07T08:00:00Z
            disabled                                    | 0 8 * * 1-5     | UTC           | fire-once | false | 2026-12-07T07:00:00Z | -                    | -                              | 2026-12-07T08:00:05Z     | false | -                    | disabled
            edited: the old expression never fires      | 0 9 * * *       | UTC           | fire-once | true  | 2026-12-07T08:30:00Z | 2026-12-07T08:00:00Z | -                              | 2026-12-07T08:45:00Z     | false | -                    | last fired for 2026-12-07T08:00:00Z; next due at 2026-12-07T09:00:00Z
            edited: the new expression fires            | 0 9 * * *       | UTC           | fire-once | true  | 2026-12-07T08:30:00Z | 2026-12-07T08:00:00Z | -                              | 2026-12-07T09:00:02Z     | true  | 2026-12-07T09:00:00Z | due at 2026-12-07T09:00:00Z: firing it (read_replicas=4)
            edited to a time passed: not till tomorrow  | 0 7 * * *       | UTC           | fire-once | true  | 2026-12-07T08:30:00Z | 2026-12-07T08:00:00Z | -                              | 2026-12-07T08:31:00Z     | false | -                    | last fired for 2026-12-07T08:00:00Z; next due at 2026-12-08T07:00:00Z
            DST ends: the first 02:30 fires             | 30 2 * * *      | Europe/Berlin | fire-once | true  | 2026-10-24T12:00:00Z | -                    | -                              | 2026-10-25T00:30:01Z     | true  | 2026-10-25T00:30:00Z | due at 2026-10-25T00:30:00Z: firing it (read_replicas=4)
            DST ends: the repeated 02:30 does not       | 30 2 * * *      | Europe/Berlin | fire-once | true  | 2026-10-24T12:00:00Z | 2026-10-25T00:30:00Z | -                              | 2026-10-25T01:30:01Z     | false | -                    | last fired for 2026-10-25T00:30:00Z; next due at 2026-10-26T01:30:00Z
            DST starts: the skipped 02:30 is not due    | 30 2 * * *      | Europe/Berlin | fire-once | true  | 2026-03-28T12:00:00Z | 2026-03-28T01:30:00Z | -                              | 2026-03-29T01:30:01Z     | false | -                    | last fired for 2026-03-28T01:30:00Z; next due at 2026-03-30T00:30:00Z
            a zone: 08:00 in Berlin is 07:00 UTC        | 0 8 * * 1-5     | Europe/Berlin | skip      | true  | 2026-12-07T06:00:00Z | -                    | -                              | 2026-12-07T07:00:03Z     | true  | 2026-12-07T07:00:00Z | due at 2026-12-07T07:00:00Z: firing it (read_replicas=4)
            a seconds field                             | */10 * * * * *  | UTC           | skip      | true  | 2026-12-07T08:00:00Z | -                    | -                              | 2026-12-07T08:00:10.400Z | true  | 2026-12-07T08:00:10Z | due at 2026-12-07T08:00:10Z: firing it (read_replicas=4)
            """)
    void decides(String name, String cron, String zone, String missed, boolean enabled, Instant since, String lastFired,
                 String task, Instant now, boolean fire, String due, String sentence) {
        Schedule schedule = schedule(cron, zone, missed, enabled, since, lastFired);
        List<Task> tasks = task.equals("-") ? List.of() : List.of(task(task.substring(0, task.indexOf('@')),
                Instant.parse(task.substring(task.indexOf('@') + 1))));

        ScheduleDecision d = ScheduleRules.decide(schedule, tasks, now.toEpochMilli(), ON_TIME);

        assertThat(d.sentence()).isEqualTo(sentence);
        assertThat(d.fire()).isEqualTo(fire);
        assertThat(d.dueMillis()).isEqualTo(due.equals("-") ? 0 : Instant.parse(due).toEpochMilli());
        assertThat(d.schedule()).isEqualTo("day");
    }

    @Test
    void aScheduleOfANewerReleaseOrAnUnreadableExpressionIsLeftAlone() {
        Schedule newer = new Schedule(2, "day", "0 8 * * *", "UTC", Schedule.Action.setReadReplicas(4), Schedule.Missed.SKIP,
                true, 0, 0, null);
        Schedule unknownAction = new Schedule(1, "day", "0 8 * * *", "UTC", new Schedule.Action(Schedule.Action.Kind.UNKNOWN, 0),
                Schedule.Missed.SKIP, true, 0, 0, null);
        Schedule badCron = schedule("0 25 * * *", "UTC", "skip", true, Instant.EPOCH, "-");
        Schedule badZone = schedule("0 8 * * *", "Mars/Olympus", "skip", true, Instant.EPOCH, "-");
        long now = Instant.parse("2026-12-07T08:00:05Z").toEpochMilli();

        assertThat(ScheduleRules.decide(newer, List.of(), now, ON_TIME).sentence())
                .isEqualTo("written by a newer pgherd (format 2, action read_replicas=4): leaving it");
        assertThat(ScheduleRules.decide(unknownAction, List.of(), now, ON_TIME).sentence())
                .isEqualTo("written by a newer pgherd (format 1, action unknown (written by a newer pgherd)): leaving it");
        assertThat(ScheduleRules.decide(badCron, List.of(), now, ON_TIME).sentence()).isEqualTo("cannot be read (cron expression"
                + " '0 25 * * *' is not valid: Failed to parse cron expression. Value 25 not in range [0, 23]): leaving it");
        assertThat(ScheduleRules.decide(badZone, List.of(), now, ON_TIME).sentence())
                .isEqualTo("cannot be read (unknown time zone 'Mars/Olympus'; expected an IANA name such as Europe/Berlin, or UTC):"
                        + " leaving it");
        assertThat(List.of(newer, unknownAction, badCron, badZone))
                .allSatisfy(s -> assertThat(ScheduleRules.decide(s, List.of(), now, ON_TIME).fire()).isFalse());
    }

    @Test
    void aDueTimeCountsAsOnTimeForTwoTakeoversAndAtLeastAMinute() {
        assertThat(ScheduleRules.onTime(Duration.ofSeconds(4), Duration.ofMillis(300))).isEqualTo(Duration.ofMinutes(1));
        assertThat(ScheduleRules.onTime(Duration.ofSeconds(30), Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(80));
    }

    /**
     * The weekday example ("4 read replicas on weekdays 08:00-20:00, 2 otherwise") from a Friday to the Wednesday
     * after, a cycle every 59 s (within the 60 s a due time counts as on time) with an outage of the controllers from Tuesday 07:00 to 09:30, firing as the reconciler
     * and the task would (recording the due time): each due time fires exactly once, none on the weekend, the missed
     * one of Tuesday 08:00 once on return.
     */
    @Test
    void overFiveDaysEachDueTimeFiresExactlyOnceAndTheMissedOneOnceOnReturn() {
        Instant start = Instant.parse("2026-12-04T00:00:00Z");
        Map<String, Schedule> schedules = new HashMap<>(Map.of(
                "weekday-up", Schedule.of("weekday-up", "0 8 * * 1-5", "UTC", Schedule.Action.setReadReplicas(4),
                        Schedule.Missed.FIRE_ONCE, start.toEpochMilli()),
                "weekday-down", Schedule.of("weekday-down", "0 20 * * 1-5", "UTC", Schedule.Action.setReadReplicas(2),
                        Schedule.Missed.FIRE_ONCE, start.toEpochMilli())));
        Instant outage = Instant.parse("2026-12-08T07:00:00Z");
        Instant back = Instant.parse("2026-12-08T09:30:00Z");
        List<String> fired = new ArrayList<>();
        for (Instant now = start; now.isBefore(start.plus(Duration.ofDays(5))); now = now.plusSeconds(59)) {
            if (!now.isBefore(outage) && now.isBefore(back)) {
                continue;
            }
            for (String name : List.copyOf(schedules.keySet())) {
                ScheduleDecision d = ScheduleRules.decide(schedules.get(name), List.of(), now.toEpochMilli(), ON_TIME);
                if (d.fire()) {
                    fired.add(name + "@" + Instant.ofEpochMilli(d.dueMillis()) + (d.sentence().contains("missed") ? " (late)" : ""));
                    schedules.put(name, schedules.get(name).fired(d.dueMillis(), "t"));
                }
            }
        }
        assertThat(fired).containsExactly("weekday-up@2026-12-04T08:00:00Z", "weekday-down@2026-12-04T20:00:00Z",
                "weekday-up@2026-12-07T08:00:00Z", "weekday-down@2026-12-07T20:00:00Z",
                "weekday-up@2026-12-08T08:00:00Z (late)", "weekday-down@2026-12-08T20:00:00Z");
    }

    static Schedule schedule(String cron, String zone, String missed, boolean enabled, Instant since, String lastFired) {
        long last = lastFired.equals("-") ? 0 : Instant.parse(lastFired).toEpochMilli();
        return new Schedule(Schedule.FORMAT, "day", cron, zone, Schedule.Action.setReadReplicas(4),
                missed.equals("skip") ? Schedule.Missed.SKIP : Schedule.Missed.FIRE_ONCE, enabled, since.toEpochMilli(), last,
                last == 0 ? null : "fire_schedule-3-1");
    }

    static Task task(String state, Instant due) {
        return Task.pending("fire_schedule-3-1", ScheduleTasks.TYPE, List.of("record_fired", "set_read_replicas"),
                Map.of(ScheduleTasks.SCHEDULE, "day", ScheduleTasks.DUE, Long.toString(due.toEpochMilli())), due.toEpochMilli())
                .withState(Task.State.valueOf(state), due.toEpochMilli());
    }
}
