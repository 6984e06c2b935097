package io.pgherd.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.common.config.Durations;

/**
 * The old primary's wait for the proxies in a planned switchover (DESIGN.md §3). A proxy acknowledges
 * by writing into its ephemeral record under {@code proxies/} ({@link ProxyRecord}) the
 * modRevision of the {@code failover} key for which it has stopped starting write transactions and let
 * those in flight finish. Every record present counts, one that appears during the wait included; one
 * that vanishes (its proxy is gone) no longer does.
 *
 * <p>Thread-safe: {@link #changed()} is called from the DCS event thread (a proxy record changed, the
 * watch was reset, the agent was woken), {@link #await} from the agent's loop thread. The waiting side
 * reads the records again after every change and at least every {@value #REREAD_MILLIS} ms (in case a
 * watch event is lost), always through the agent's one DCS client.
 */
final class ProxyAcks {
    /** The longest time between two reads of the records while waiting. */
    static final long REREAD_MILLIS = 100;

    private final ClusterStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition change = lock.newCondition();
    private long changes;

    /** How a wait ended. */
    enum Ending {
        /** No proxy record (left): nothing to wait for. */
        NO_PROXIES,
        /** Every proxy record holds the revision. */
        ACKNOWLEDGED,
        /** The timeout ran out first. */
        TIMED_OUT
    }

    /**
     * What a wait saw at its end.
     *
     * @param ending how it ended
     * @param revision the {@code failover} key's modRevision that was waited for
     * @param acknowledged the proxies whose record held it, sorted
     * @param missing the proxies whose record did not, sorted (empty unless {@link Ending#TIMED_OUT})
     * @param waitedMillis how long the wait took
     * @param timeout the limit it had
     */
    record Outcome(Ending ending, long revision, List<String> acknowledged, List<String> missing, long waitedMillis,
                   Duration timeout) {
        Outcome {
            acknowledged = List.copyOf(acknowledged);
            missing = List.copyOf(missing);
        }

        /** One sentence for the log, saying how long the wait took and which proxies acknowledged. */
        String sentence() {
            String request = "the switchover (failover revision " + revision + ")";
            return switch (ending) {
                case NO_PROXIES -> waitedMillis == 0
                        ? "no proxy is registered: shutting down for " + request + " without waiting"
                        : "no proxy is registered any more after " + waitedMillis + " ms: shutting down for " + request;
                case ACKNOWLEDGED -> "every proxy acknowledged " + request + " after " + waitedMillis + " ms ("
                        + String.join(", ", acknowledged) + "): shutting down";
                case TIMED_OUT -> "waited " + waitedMillis + " ms for the proxies to acknowledge " + request
                        + ": acknowledged by " + (acknowledged.isEmpty() ? "none" : String.join(", ", acknowledged))
                        + ", not by " + String.join(", ", missing) + " (agent.ha.proxy_ack_timeout "
                        + Durations.format(timeout) + "): shutting down anyway";
            };
        }
    }

    ProxyAcks(ClusterStore store) {
        this.store = store;
    }

    /** A proxy record may have changed (or events may have been missed): the waiting side reads them again. */
    void changed() {
        lock.lock();
        try {
            changes++;
            change.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every proxy record holds {@code revision}, no record is left, or {@code timeout} has passed,
     * whichever comes first.
     *
     * @param stop asked before every read: a reason to give up at once (the DCS session was lost, the agent
     *             is stopping), or empty to go on
     * @throws IllegalStateException when {@code stop} gave a reason, or when the {@code failover} key no
     *         longer has {@code revision} (the request was withdrawn or replaced): the caller must not shut down
     * @throws io.pgherd.dcs.DcsException when the DCS did not answer
     */
    Outcome await(long revision, Duration timeout, Supplier<Optional<String>> stop) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            long seen = changes();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Optional<String> reason = stop.get();
            if (reason.isPresent()) {
                throw new IllegalStateException("stopped waiting for the proxies to acknowledge the switchover after " + waited
                        + " ms: " + reason.get() + "; PostgreSQL keeps running");
            }
            if (!store.failoverRevision().equals(Optional.of(revision))) {
                throw new IllegalStateException("the switchover request (failover revision " + revision + ") was withdrawn or"
                        + " replaced after " + waited + " ms of waiting for the proxies; PostgreSQL keeps running");
            }
            List<String> acknowledged = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (ProxyRecord p : store.proxies()) {
                (p.ack() == revision ? acknowledged : missing).add(p.name());
            }
            acknowledged.sort(null);
            missing.sort(null);
            if (missing.isEmpty()) {
                Ending ending = acknowledged.isEmpty() ? Ending.NO_PROXIES : Ending.ACKNOWLEDGED;
                return new Outcome(ending, revision, acknowledged, missing, waited, timeout);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Outcome(Ending.TIMED_OUT, revision, acknowledged, missing, waited, timeout);
            }
            awaitChange(seen, Math.min(left, TimeUnit.MILLISECONDS.toNanos(REREAD_MILLIS)));
        }
    }

    private long changes() {
        lock.lock();
        try {
            return changes;
        } finally {
            lock.unlock();
        }
    }

    /** Returns when a change after {@code seen} was signalled or {@code nanos} have passed. */
    private void awaitChange(long seen, long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (changes == seen && left > 0) {
                left = change.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the proxies to acknowledge the switchover", e);
        } finally {
            lock.unlock();
        }
    }
}
