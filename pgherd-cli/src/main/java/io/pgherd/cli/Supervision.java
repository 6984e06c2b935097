package io.pgherd.cli;

import java.time.Duration;
import java.time.Instant;

/**
 * The supervisor's view of one child process (an agent, a proxy, ZooKeeper) and the pure decision
 * what to do about it at an instant: {@link #observe} turns what was seen (it runs or not) into the
 * next view and an {@link Action}; after a {@link Action#START} the caller reports the outcome with
 * {@link #started} or {@link #failed}. Immutable; the time is always passed in.
 *
 * @param phase whether the child runs or waits for its next start
 * @param restarts restarts since the child last ran for the policy's {@code stable} time
 * @param since {@link Phase#RUNNING}: when it was started or first seen running; {@link Phase#WAITING}:
 *              when the next start is due
 */
record Supervision(Phase phase, int restarts, Instant since) {

    /** Whether the child runs, as far as the supervisor knows. */
    enum Phase {
        RUNNING,
        WAITING
    }

    /** What the supervisor does now. */
    enum Action {
        /** Nothing: it runs (or its restart is not due yet). */
        NONE,
        /** It was seen to exit: say so, and when it will be started. */
        EXITED,
        /** Start it now, then report {@link #started} or {@link #failed}. */
        START,
        /** It runs again, started by someone else (another {@code pgherd up}): say so. */
        ADOPTED,
        /** It has run long enough since its last restart: the backoff starts over (nothing to say). */
        STABLE
    }

    /**
     * One decision.
     *
     * @param next the view to keep
     * @param action what to do
     * @param delay for {@link Action#EXITED}: the wait before the start; else zero
     */
    record Step(Supervision next, Action action, Duration delay) {
    }

    /** A child seen for the first time at {@code now}: one that does not run is started at once. */
    static Supervision first(boolean running, Instant now) {
        return new Supervision(running ? Phase.RUNNING : Phase.WAITING, 0, now);
    }

    /** The decision at {@code now}, seeing whether the child runs. */
    Step observe(boolean running, Instant now, RestartPolicy policy) {
        return switch (phase) {
            case RUNNING -> {
                if (!running) {
                    Duration delay = policy.delay(restarts);
                    yield new Step(new Supervision(Phase.WAITING, restarts, now.plus(delay)), Action.EXITED, delay);
                }
                if (restarts > 0 && !now.isBefore(since.plus(policy.stable()))) {
                    yield new Step(new Supervision(Phase.RUNNING, 0, since), Action.STABLE, Duration.ZERO);
                }
                yield new Step(this, Action.NONE, Duration.ZERO);
            }
            case WAITING -> {
                if (running) {
                    yield new Step(new Supervision(Phase.RUNNING, restarts, now), Action.ADOPTED, Duration.ZERO);
                }
                yield new Step(this, now.isBefore(since) ? Action.NONE : Action.START, Duration.ZERO);
            }
        };
    }

    /** The view after the child was started at {@code now}. */
    Supervision started(Instant now) {
        return new Supervision(Phase.RUNNING, restarts + 1, now);
    }

    /** The view after a start at {@code now} failed: the next one waits longer; {@link Step#delay} says how long. */
    Step failed(Instant now, RestartPolicy policy) {
        Duration delay = policy.delay(restarts + 1);
        return new Step(new Supervision(Phase.WAITING, restarts + 1, now.plus(delay)), Action.EXITED, delay);
    }
}
