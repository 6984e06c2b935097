package io.pgherd.agent.ha;

import java.time.Duration;

/**
 * When a member renews its DCS session on its own and when a leader must stop its primary: the rules
 * of the {@code LeaseGuard}, pure functions of the TTL and {@link System#nanoTime()} values.
 *
 * <p>The leader key vanishes when the store ends the leader's session, and another member may promote
 * right after. The store keeps a session at least its TTL after the last request of it that the store
 * answered, counted from when the request was sent ({@code expiresNotBefore}, see the DCS session). A
 * primary whose renewals go unanswered (cut off, or the store too slow) stops taking writes
 * {@link #marginNanos() margin} before that moment, so that it has stopped before any other member can
 * have seen the key gone; an agent loop stuck in a DCS call for {@code 2 * retry_timeout} cannot delay it.
 *
 * @param renewEveryNanos how often a member asks the store to renew its session
 * @param marginNanos how long before {@code expiresNotBefore} a leader's primary is stopped
 */
public record Lease(long renewEveryNanos, long marginNanos) {
    private static final long MIN_RENEW_NANOS = Duration.ofMillis(100).toNanos();
    private static final long MAX_RENEW_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MIN_MARGIN_NANOS = Duration.ofSeconds(1).toNanos();

    /**
     * For a session of {@code ttl}: a renewal every eighth of it (0.1 s to 1 s), and a margin of a quarter
     * of it, at least 1 s and at most half of it.
     */
    public static Lease of(Duration ttl) {
        long ttlNanos = ttl.toNanos();
        long renew = Math.max(MIN_RENEW_NANOS, Math.min(MAX_RENEW_NANOS, ttlNanos / 8));
        long margin = Math.min(ttlNanos / 2, Math.max(MIN_MARGIN_NANOS, ttlNanos / 4));
        return new Lease(renew, margin);
    }

    /** Whether a renewal is due at {@code now}, the last one having been asked at {@code lastAsked}. */
    public boolean renewDue(long now, long lastAsked) {
        return now - lastAsked >= renewEveryNanos;
    }

    /**
     * Whether the session is proven to outlive {@code now} by more than the margin: a leader may go on
     * taking writes, start or promote its PostgreSQL.
     */
    public boolean confirmed(long now, long expiresNotBefore) {
        return expiresNotBefore - now > marginNanos;
    }

    /** Whether a member that holds the leader key must stop its PostgreSQL now. */
    public boolean mustFence(boolean holdsLeaderKey, long now, long expiresNotBefore) {
        return holdsLeaderKey && !confirmed(now, expiresNotBefore);
    }

    /** How long before {@code expiresNotBefore} it is at {@code now}, in milliseconds (negative once past). */
    public static long millisLeft(long now, long expiresNotBefore) {
        return Duration.ofNanos(expiresNotBefore - now).toMillis();
    }
}
