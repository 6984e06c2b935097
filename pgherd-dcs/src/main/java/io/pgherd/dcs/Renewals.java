package io.pgherd.dcs;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a session's client can prove about its life: the store keeps a session at least its TTL after
 * the last request of that session it answered, counted from when the request was <em>sent</em> (the
 * store renewed it at some moment after that), so {@code sent + ttl} is a moment before which its
 * ephemeral keys cannot vanish — whatever the network did since. Times are {@link System#nanoTime()}.
 *
 * <p>At most one renewal is in flight; one that got no answer within the TTL no longer blocks the next.
 * Thread-safe.
 */
final class Renewals {
    private static final long NONE = Long.MIN_VALUE;

    private final long ttlNanos;
    private final AtomicLong confirmedSent;
    private final AtomicLong inFlightSince = new AtomicLong(NONE);

    /** @param openedNanos when the request that created the session was sent */
    Renewals(Duration ttl, long openedNanos) {
        this.ttlNanos = ttl.toNanos();
        this.confirmedSent = new AtomicLong(openedNanos);
    }

    /** Whether a renewal sent at {@code nowNanos} may go: none is in flight, or the last got no answer within the TTL. */
    boolean begin(long nowNanos) {
        long since = inFlightSince.get();
        return (since == NONE || nowNanos - since > ttlNanos) && inFlightSince.compareAndSet(since, nowNanos);
    }

    /** The store answered the renewal sent at {@code sentNanos}. */
    void confirmed(long sentNanos) {
        confirmedSent.accumulateAndGet(sentNanos, (a, b) -> b - a > 0 ? b : a);
        inFlightSince.compareAndSet(sentNanos, NONE);
    }

    /** The renewal sent at {@code sentNanos} failed. */
    void failed(long sentNanos) {
        inFlightSince.compareAndSet(sentNanos, NONE);
    }

    /** The moment before which the store keeps the session, as far as its client can prove. */
    long expiresNotBeforeNanos() {
        return confirmedSent.get() + ttlNanos;
    }
}
