package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.pgherd.agent.api.Operations.Outcome;

/** Requests handed to the agent's loop: run there, answered, withdrawn when not taken in time. */
class LoopRequestsTest {
    private final LoopRequests requests = new LoopRequests();

    private Runnable loopThread() {
        return () -> new Thread(requests::runPending, "loop").start();
    }

    @Test
    void theWorkRunsOnTheLoopThreadAndItsOutcomeIsTheAnswer() {
        AtomicReference<String> ranOn = new AtomicReference<>();

        Outcome outcome = requests.submit("restart", () -> {
            ranOn.set(Thread.currentThread().getName());
            return Outcome.done("restarted successfully");
        }, Duration.ofSeconds(10), loopThread());

        assertThat(outcome).isEqualTo(Outcome.done("restarted successfully"));
        assertThat(ranOn.get()).isEqualTo("loop");
    }

    @Test
    void aRequestTheLoopDidNotTakeInTimeIsWithdrawnAndNeverRuns() {
        AtomicBoolean ran = new AtomicBoolean();

        Outcome outcome = requests.submit("restart", () -> {
            ran.set(true);
            return Outcome.done("restarted successfully");
        }, Duration.ofMillis(50), () -> { });
        requests.runPending();

        assertThat(outcome.done()).isFalse();
        assertThat(outcome.message()).isEqualTo("the agent's loop did not take the restart request within 0 s (it is busy"
                + " with a long action); nothing was done");
        assertThat(ran).isFalse();
    }

    @Test
    void aRequestStillRunningWhenTheCallerStopsWaitingGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);

        Outcome outcome = requests.submit("restart", () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.countDown();
            return Outcome.done("restarted successfully");
        }, Duration.ofMillis(100), loopThread());

        assertThat(outcome.done()).isFalse();
        assertThat(outcome.message()).startsWith("restart still running after 0 s; it goes on");
        release.countDown();
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void workThatThrowsIsAFailureWithItsMessage() {
        Outcome outcome = requests.submit("reload", () -> {
            throw new IllegalStateException("PostgreSQL did not answer");
        }, Duration.ofSeconds(10), loopThread());

        assertThat(outcome).isEqualTo(Outcome.refused("reload failed: PostgreSQL did not answer"));
    }

    @Test
    void afterCloseEveryRequestIsRefused() {
        requests.close();

        Outcome outcome = requests.submit("restart", () -> Outcome.done("restarted successfully"), Duration.ofSeconds(10),
                loopThread());

        assertThat(outcome).isEqualTo(Outcome.refused("the agent is stopping; nothing was done"));
    }
}
