package io.pgherd.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits in tests for a condition with a deadline, never for a fixed time. When the deadline passes,
 * the failure says what was awaited and the last value or exception seen.
 */
public final class Await {
    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private Await() {
    }

    /** Polls {@code condition} until it returns true; exceptions count as "not yet". */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                Boolean ok = condition.call();
                if (Boolean.TRUE.equals(ok)) {
                    return;
                }
                last = ok;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + " (last result: " + last + ")", last instanceof Throwable t ? t : null);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Calls {@code attempt} until it returns without throwing, and returns its result; when the
     * deadline passes, fails with the last exception as cause (for "the server works again").
     */
    public static <T> T success(String what, Duration timeout, Callable<T> attempt) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return attempt.call();
            } catch (Exception e) {
                if (System.nanoTime() - end >= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what, e);
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Milliseconds since {@code startNanos} (a {@link System#nanoTime()} reading). */
    public static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
