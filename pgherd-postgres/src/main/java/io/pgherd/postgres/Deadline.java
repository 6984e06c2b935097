package io.pgherd.postgres;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline, polling at a short interval. Used where a server offers
 * no notification (a standby starting to stream, a postmaster exiting).
 */
public final class Deadline {
    private static final long POLL_NANOS = Duration.ofMillis(50).toNanos();

    private Deadline() {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes. Exceptions thrown by the
     * condition count as "not yet".
     *
     * @return whether the condition held before the deadline
     */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // Not ready yet: servers refuse connections while they start.
            }
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new PostgresException("interrupted while waiting");
            }
        }
    }
}
