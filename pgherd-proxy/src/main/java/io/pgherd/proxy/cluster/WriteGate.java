package io.pgherd.proxy.cluster;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.pgherd.cluster.HistoryEntry.ProxyTimeline;

/**
 * Whether a proxy following an HA cluster may start work on the primary now (DESIGN.md §3, §4).
 * While it is closed, sessions hold their next write transaction instead of failing it, and run it
 * on whichever primary is confirmed when it opens again; transactions already in flight go on.
 * It is closed for one or more reasons at once and opens when the last one clears. It also keeps the
 * proxy's part of a promotion's timeline: when it first closed, when a new leader was seen, when the
 * first write after that went through, if one did within a window of the opening
 * ({@link ProxyTimeline#FIRST_WRITE_WINDOW_MILLIS}): a later write measures only when a client next wrote.
 * Thread-safe; waiters run on the thread that opens it.
 */
public final class WriteGate {
    /** Why writes are held. */
    public enum Reason {
        NO_LEADER("the cluster has no leader"),
        UNCONFIRMED("the leader is not yet confirmed to accept writes"),
        SWITCHOVER("a switchover is under way"),
        DCS_UNREACHABLE("the DCS has been unreachable for longer than the TTL");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * The proxy's view of one change of primary, in epoch milliseconds (0: not seen).
     *
     * @param failureSeen when writes were first held (the old primary failed, the key vanished, a switchover began)
     * @param leaderSeen when the new leader was seen in the DCS
     * @param opened when writes were let through to it
     * @param firstWrite when the first write transaction on it ended (0: none within the window)
     * @param leader the new leader
     * @param epoch its leader key's epoch
     */
    public record Timeline(long failureSeen, long leaderSeen, long opened, long firstWrite, String leader, long epoch) {
    }

    private final Map<Reason, Long> closed = new EnumMap<>(Reason.class);
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private volatile boolean open;
    /** How many times writes began to be held (for tests and metrics). */
    private long closings;
    private long closedSince;
    private long failureSeen;
    private long leaderSeen;
    private String leader = "";
    private long epoch;
    private volatile Timeline pending;
    private volatile Timeline finished;
    private final Runnable onFirstWrite;
    private final long firstWriteWindowMillis;

    /**
     * @param open whether it starts open (a proxy with fixed nodes) or closed until the leader is confirmed
     * @param onFirstWrite told when a timeline is complete: by the first write (on the session's thread), or
     *                     by {@link #expireFirstWrite} (on its caller's); must not block
     */
    public WriteGate(boolean open, Runnable onFirstWrite) {
        this(open, onFirstWrite, ProxyTimeline.FIRST_WRITE_WINDOW_MILLIS);
    }

    WriteGate(boolean open, Runnable onFirstWrite, long firstWriteWindowMillis) {
        this.open = open;
        this.onFirstWrite = onFirstWrite;
        this.firstWriteWindowMillis = firstWriteWindowMillis;
        if (!open) {
            closedSince = System.currentTimeMillis();
            closed.put(Reason.UNCONFIRMED, closedSince);
        }
    }

    public boolean isOpen() {
        return open;
    }

    /** Holds writes for {@code reason} (again, if already held for it: no change). */
    public synchronized void close(Reason reason) {
        long now = System.currentTimeMillis();
        if (closed.isEmpty()) {
            closings++;
            closedSince = now;
            if (failureSeen == 0) {
                failureSeen = now;
            }
        }
        closed.putIfAbsent(reason, now);
        open = false;
    }

    /** {@code reason} no longer holds writes; when nothing else does, the waiters run. */
    public void clear(Reason reason) {
        synchronized (this) {
            if (closed.remove(reason) == null || !closed.isEmpty()) {
                return;
            }
            open = true;
            if (leaderSeen > 0) {
                pending = new Timeline(failureSeen, leaderSeen, System.currentTimeMillis(), 0, leader, epoch);
            }
            leaderSeen = 0;
            failureSeen = 0;
        }
        Runnable r;
        while ((r = waiters.poll()) != null) {
            r.run();
        }
    }

    /** How many times writes began to be held since the gate was made (an open gate closing again counts once more). */
    public synchronized long closings() {
        return closings;
    }

    public synchronized boolean heldFor(Reason reason) {
        return closed.containsKey(reason);
    }

    /** A new leader ({@code name}, {@code epoch}) appeared in the DCS. */
    public synchronized void leaderSeen(String name, long leaderEpoch) {
        leaderSeen = System.currentTimeMillis();
        if (failureSeen == 0) {
            failureSeen = leaderSeen;
        }
        leader = name;
        epoch = leaderEpoch;
    }

    /**
     * A write transaction ended on the primary: completes the timeline of the last change, if any, with this
     * first write, or without one when it comes after the window.
     */
    public void wrote() {
        Timeline t = pending;
        if (t == null) {
            return;
        }
        complete(t, System.currentTimeMillis(), true);
    }

    /**
     * Completes the timeline of the last change without a first write when no write came within the window
     * of its opening ({@code nowMillis} later); true when it did so. Called periodically, so a promotion
     * nobody writes after is still recorded.
     */
    public boolean expireFirstWrite(long nowMillis) {
        Timeline t = pending;
        return t != null && nowMillis - t.opened() > firstWriteWindowMillis && complete(t, nowMillis, false);
    }

    private boolean complete(Timeline t, long nowMillis, boolean wrote) {
        synchronized (this) {
            if (pending != t) {
                return false;
            }
            pending = null;
            long firstWrite = wrote && nowMillis - t.opened() <= firstWriteWindowMillis ? nowMillis : 0;
            finished = new Timeline(t.failureSeen(), t.leaderSeen(), t.opened(), firstWrite, t.leader(), t.epoch());
        }
        onFirstWrite.run();
        return true;
    }

    /** The last complete timeline, taken once (null when none is waiting to be recorded). */
    public synchronized Timeline takeFinished() {
        Timeline t = finished;
        finished = null;
        return t;
    }

    /** Runs {@code action} now if open, else when it opens. */
    public void whenOpen(Runnable action) {
        if (open) {
            action.run();
            return;
        }
        waiters.add(action);
        if (open) {
            Runnable r;
            while ((r = waiters.poll()) != null) {
                r.run();
            }
        }
    }

    /** Drops a waiter that no longer waits (its client left or gave up). */
    public void forget(Runnable action) {
        waiters.remove(action);
    }

    /** Why writes are held and for how long, for errors and SHOW NODES; empty when open. */
    public synchronized String why() {
        if (closed.isEmpty()) {
            return "";
        }
        long now = System.currentTimeMillis();
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Reason, Long> e : closed.entrySet()) {
            out.append(out.length() == 0 ? "" : "; ").append(e.getKey().text());
        }
        return out.append(" (writes held for ").append(now - closedSince).append(" ms)").toString();
    }
}
