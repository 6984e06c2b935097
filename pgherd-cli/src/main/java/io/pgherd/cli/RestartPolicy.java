package io.pgherd.cli;

import java.time.Duration;

/**
 * How long the supervisor waits before it starts a child process that exited: {@code first} after
 * the first exit, doubling with each restart that did not last, never more than {@code max}. A child
 * that stayed up for {@code stable} since its last restart counts as healthy again: its next exit
 * waits {@code first} again. The supervisor never gives up: at {@code max} it keeps trying, and says so.
 *
 * @param first the wait before the first restart
 * @param max the longest wait
 * @param stable how long a restarted child must run for its restarts to be forgotten
 */
record RestartPolicy(Duration first, Duration max, Duration stable) {
    /** 1 s, 2 s, 4 s … up to 30 s; forgotten after a minute up. */
    static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofSeconds(60));

    RestartPolicy {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0 || stable.isNegative()) {
            throw new IllegalArgumentException("restart policy needs 0 < first <= max and stable >= 0 (got first " + first
                    + ", max " + max + ", stable " + stable + ")");
        }
    }

    /** The wait before the next start of a child restarted {@code restarts} times since it last ran stably. */
    Duration delay(int restarts) {
        Duration delay = first;
        for (int i = 0; i < restarts && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** Whether that wait is already the longest: the child keeps failing. */
    boolean atMax(int restarts) {
        return delay(restarts).equals(max);
    }
}
