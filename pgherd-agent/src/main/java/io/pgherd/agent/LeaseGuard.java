package io.pgherd.agent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.Lease;
import io.pgherd.dcs.Session;

/**
 * The part of {@link Lease} that acts, on a thread of its own: every tenth of a second it renews the
 * member's DCS session when due and, while the member holds the leader key, stops its PostgreSQL once the
 * session is no longer proven to outlive the fencing margin. The agent's loop cannot do this itself: a DCS
 * call may hold it for twice the retry timeout, longer than the key may live once the store stops answering.
 *
 * <p>Thread-safe.
 */
final class LeaseGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseGuard.class);
    private static final long TICK_MILLIS = 100;

    private final String member;
    private final Supplier<Session> session;
    private final Runnable fence;
    private final ScheduledExecutorService timer;
    private volatile boolean holdsLeaderKey;
    private long lastAsked = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    /**
     * @param member the member's name, for the log
     * @param session the agent's current session (null while it has none)
     * @param fence stops the member's PostgreSQL
     */
    LeaseGuard(String member, Supplier<Session> session, Runnable fence) {
        this.member = member;
        this.session = session;
        this.fence = fence;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgherd-lease-" + member);
            t.setDaemon(true);
            return t;
        });
    }

    LeaseGuard start() {
        timer.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether the member holds the leader key, as the loop's last read of the DCS showed. */
    void holdsLeaderKey(boolean holds) {
        holdsLeaderKey = holds;
    }

    /** Whether the current session is proven to outlive the fencing margin ({@link Lease#confirmed}). */
    boolean confirmed() {
        Session s = session.get();
        return s != null && s.state() == Session.State.ALIVE
                && Lease.of(s.ttl()).confirmed(System.nanoTime(), s.expiresNotBeforeNanos());
    }

    private void tick() {
        try {
            Session s = session.get();
            long now = System.nanoTime();
            boolean alive = s != null && s.state() == Session.State.ALIVE;
            if (!alive) {
                // A lost or closed session's keys are gone or going.
                if (holdsLeaderKey) {
                    stop(s == null ? "this member has no DCS session" : "its DCS session is " + s.state().name().toLowerCase());
                }
                return;
            }
            Lease lease = Lease.of(s.ttl());
            if (lease.renewDue(now, lastAsked)) {
                lastAsked = now;
                s.renew();
            }
            long expires = s.expiresNotBeforeNanos();
            if (lease.mustFence(holdsLeaderKey, now, expires)) {
                long unanswered = Lease.millisLeft(expires - s.ttl().toNanos(), now);
                stop("the DCS has not renewed its session for " + unanswered + " ms and the leader key may vanish in "
                        + Lease.millisLeft(now, expires) + " ms");
            }
        } catch (RuntimeException e) {
            log.warn("{}: lease check failed: {}", member, e.toString());
        }
    }

    private void stop(String why) {
        holdsLeaderKey = false;
        log.warn("{}: holding the leader key, but {}: stopping PostgreSQL so that no other primary is promoted while"
                + " this one takes writes", member, why);
        try {
            fence.run();
        } catch (RuntimeException e) {
            log.warn("{}: stopping PostgreSQL failed: {}", member, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
