package io.pgherd.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pgherd.controller.schedule.ScheduleException.Problem;

/** What {@link Schedules#problems} finds in a request to add a schedule: every problem, each with its field. Pure. */
class SchedulesTest {

    @Test
    void aValidRequestHasNoProblem() {
        assertThat(Schedules.problems(new Schedules.Request("weekday-up", "0 8 * * 1-5", "Europe/Berlin", 4, "fire-once"))).isEmpty();
        assertThat(Schedules.problems(new Schedules.Request("s", "*/10 * * * * *", null, 0, null))).as("defaults").isEmpty();
        assertThat(Schedules.problems(new Schedules.Request("s", "0 8 * * MON-FRI", "UTC", 16, "skip"))).isEmpty();
    }

    @Test
    void everyProblemIsListedWithItsField() {
        List<Problem> problems = Schedules.problems(new Schedules.Request("a b", "0 25 * * *", "Mars/Olympus", 17, "twice"));

        assertThat(problems).extracting(Problem::field).containsExactly("name", "cron", "zone", "read_replicas", "missed");
        assertThat(problems).extracting(Problem::message).containsExactly(
                "name must be 1 to 128 letters, digits or '-_.:@' (got 'a b')",
                "cron expression '0 25 * * *' is not valid: Failed to parse cron expression. Value 25 not in range [0, 23]",
                "unknown time zone 'Mars/Olympus'; expected an IANA name such as Europe/Berlin, or UTC",
                "read replicas must be 0 to 16 (got 17)",
                "missed must be skip or fire-once (got 'twice')");
        assertThat(ScheduleException.invalid(problems).getMessage()).startsWith("name must be").contains("; cron expression")
                .doesNotContain("Exception");
    }

    @Test
    void aWrongNumberOfFieldsANeverDueExpressionAndANegativeCountAreRefused() {
        assertThat(Schedules.problems(new Schedules.Request("s", "* * *", "UTC", -1, null))).extracting(Problem::message)
                .containsExactly("cron expression '* * *' has 3 fields; expected 5 (minute hour day-of-month month day-of-week)"
                        + " or 6 (second first)", "read replicas must be 0 to 16 (got -1)");
        assertThat(Schedules.problems(new Schedules.Request("s", "0 0 30 2 *", "UTC", 1, null))).extracting(Problem::message)
                .containsExactly("cron expression '0 0 30 2 *' is never due");
        assertThat(Schedules.problems(new Schedules.Request("s", null, "UTC", null, null))).extracting(Problem::field)
                .containsExactly("cron", "read_replicas");
    }
}
