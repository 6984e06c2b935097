package io.pgherd.controller.access;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * How long a failed authentication waits before its answer, given the client's failures in the last
 * {@link #WINDOW}: nothing for the first {@value #FREE} (a mistyped or stale token), then {@link #FIRST}, doubling
 * with each further failure up to {@link #CAP}. Pure: the failures and the time are passed in ({@link
 * FailedAuthentications} keeps them).
 */
public final class AuthDelays {
    /** How far back failures count. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** How many failures in the window are answered at once. */
    public static final int FREE = 3;
    /** The delay of the first failure beyond {@link #FREE}. */
    public static final Duration FIRST = Duration.ofMillis(250);
    /** The longest delay. */
    public static final Duration CAP = Duration.ofSeconds(4);

    private AuthDelays() {
    }

    /**
     * The delay of a failure at {@code now}.
     *
     * @param failures the client's failures, this one included; those at or before {@code now - WINDOW} do not count
     */
    public static Duration delay(Collection<Instant> failures, Instant now) {
        Instant since = now.minus(WINDOW);
        return delay((int) failures.stream().filter(t -> t.isAfter(since) && !t.isAfter(now)).count());
    }

    /** The delay of the {@code failures}th failure in the window. */
    static Duration delay(int failures) {
        if (failures <= FREE) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - FREE - 1, 30);
        Duration delay = FIRST.multipliedBy(1L << doublings);
        return delay.compareTo(CAP) > 0 ? CAP : delay;
    }
}
