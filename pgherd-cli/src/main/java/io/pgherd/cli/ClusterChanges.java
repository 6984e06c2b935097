package io.pgherd.cli;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.Watch;

/**
 * Lets a command that waits for the cluster to change (a switchover to happen, maintenance mode to
 * show) sleep until the DCS reports a change under the cluster's prefix instead of polling; it
 * still wakes after a bound, so a change missed while the watch reconnects costs at most that.
 */
final class ClusterChanges implements AutoCloseable {
    private final Semaphore changed = new Semaphore(0);
    private final Watch watch;

    /** Watches the cluster; when the DCS does not answer, the waits fall back to their bound. */
    ClusterChanges(ClusterStore store) {
        Watch w;
        try {
            w = store.dcs().watch(store.keys().prefix(), event -> changed.release());
        } catch (DcsException e) {
            w = null;
        }
        this.watch = w;
    }

    /**
     * Waits until something under the prefix changed since the last call, or {@code maxMillis}.
     *
     * @throws CommandFailure when interrupted, with {@code whatWasWaitedFor} in the message
     */
    void await(long maxMillis, String whatWasWaitedFor) {
        try {
            if (changed.tryAcquire(Math.max(0, maxMillis), TimeUnit.MILLISECONDS)) {
                changed.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while waiting for " + whatWasWaitedFor, e);
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
