package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cli.Supervision.Action;
import io.pgherd.cli.Supervision.Phase;
import io.pgherd.cli.Supervision.Step;

class SupervisionTest {
    private static final RestartPolicy POLICY = RestartPolicy.DEFAULT;
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    private static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0  | 1",
            "1  | 2",
            "2  | 4",
            "3  | 8",
            "4  | 16",
            "5  | 30",
            "6  | 30",
            "50 | 30"})
    void theWaitDoublesFromOneSecondUpToThirty(int restarts, long seconds) {
        assertThat(POLICY.delay(restarts)).isEqualTo(Duration.ofSeconds(seconds));
        assertThat(POLICY.atMax(restarts)).isEqualTo(seconds == 30);
    }

    @Test
    void aPolicyWithAMaxBelowItsFirstWaitIsRefused() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("restart policy needs 0 < first <= max and stable >= 0 (got first PT5S, max PT1S, stable PT0S)");
    }

    /** One row: the view before, whether the child runs at {@code now}, the action and the view after. */
    @ParameterizedTest(name = "{0} restarts={1} since={2}s, running={3} at {4}s -> {5}")
    @CsvSource(delimiter = '|', value = {
            // phase | restarts | since | running | now | action | next phase | next restarts | next since | delay
            "RUNNING | 0 | 0   | true  | 5    | NONE    | RUNNING | 0 | 0    | 0",
            "RUNNING | 0 | 0   | false | 5    | EXITED  | WAITING | 0 | 6    | 1",
            "RUNNING | 3 | 10  | false | 20   | EXITED  | WAITING | 3 | 28   | 8",
            "RUNNING | 9 | 10  | false | 20   | EXITED  | WAITING | 9 | 50   | 30",
            "RUNNING | 2 | 10  | true  | 69.9 | NONE    | RUNNING | 2 | 10   | 0",
            "RUNNING | 2 | 10  | true  | 70   | STABLE  | RUNNING | 0 | 10   | 0",
            "WAITING | 2 | 30  | false | 29.9 | NONE    | WAITING | 2 | 30   | 0",
            "WAITING | 2 | 30  | false | 30   | START   | WAITING | 2 | 30   | 0",
            "WAITING | 2 | 30  | false | 45   | START   | WAITING | 2 | 30   | 0",
            "WAITING | 2 | 30  | true  | 12   | ADOPTED | RUNNING | 2 | 12   | 0"})
    void decision(Phase phase, int restarts, double since, boolean running, double now, Action action, Phase nextPhase,
                  int nextRestarts, double nextSince, long delaySeconds) {
        Step step = new Supervision(phase, restarts, at(since)).observe(running, at(now), POLICY);

        assertThat(step.action()).isEqualTo(action);
        assertThat(step.next()).isEqualTo(new Supervision(nextPhase, nextRestarts, at(nextSince)));
        assertThat(step.delay()).isEqualTo(Duration.ofSeconds(delaySeconds));
    }

    @Test
    void aChildFirstSeenDownIsStartedAtOnceAndOneSeenRunningIsLeftAlone() {
        assertThat(Supervision.first(false, T0).observe(false, T0, POLICY).action()).isEqualTo(Action.START);
        assertThat(Supervision.first(true, T0).observe(true, T0, POLICY).action()).isEqualTo(Action.NONE);
    }

    @Test
    void aChildThatKeepsDyingWaitsLongerEachTimeAndForgetsAfterRunningAMinute() {
        Supervision view = Supervision.first(true, T0);
        Instant now = T0;
        StringBuilder waits = new StringBuilder();
        for (int exit = 0; exit < 7; exit++) {
            now = now.plusSeconds(2);
            Step exited = view.observe(false, now, POLICY);
            assertThat(exited.action()).isEqualTo(Action.EXITED);
            waits.append(exited.delay().toSeconds()).append(' ');
            now = exited.next().since();
            assertThat(exited.next().observe(false, now, POLICY).action()).isEqualTo(Action.START);
            view = exited.next().started(now);
        }
        assertThat(waits.toString().strip()).isEqualTo("1 2 4 8 16 30 30");

        Step stable = view.observe(true, now.plus(POLICY.stable()), POLICY);
        assertThat(stable.action()).isEqualTo(Action.STABLE);
        assertThat(stable.next().observe(false, now.plus(POLICY.stable()).plusSeconds(1), POLICY).delay())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aFailedStartWaitsLongerThanTheOneBefore() {
        Supervision waiting = new Supervision(Phase.WAITING, 1, at(10));

        Step failed = waiting.failed(at(10), POLICY);

        assertThat(failed.action()).isEqualTo(Action.EXITED);
        assertThat(failed.delay()).isEqualTo(Duration.ofSeconds(4));
        assertThat(failed.next()).isEqualTo(new Supervision(Phase.WAITING, 2, at(14)));
        assertThat(waiting.started(at(11))).isEqualTo(new Supervision(Phase.RUNNING, 2, at(11)));
    }
}
