package io.pgherd.dcs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits with a deadline by polling a condition every few milliseconds. */
final class Await {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await() {
    }

    /** Waits until {@code condition} holds; fails with {@code what} and the time waited otherwise. */
    static void until(Duration deadline, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("waited " + deadline.toMillis() + " ms for: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Waits until {@code attempt} returns without throwing; fails with the last exception as
     * cause otherwise. For "the store works again" after a restart.
     */
    static <T> T success(Duration deadline, String what, Supplier<T> attempt) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() - end > 0) {
                    throw new AssertionError("waited " + deadline.toMillis() + " ms for: " + what, e);
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
