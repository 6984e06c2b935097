package io.pgherd.dcs;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A liveness contract with the store: an etcd lease kept alive, or a ZooKeeper session. Ephemeral
 * keys created with a session ({@link Dcs#createEphemeral}, {@link Dcs#putEphemeral}) are deleted
 * by the store when the session ends, at the latest {@link #ttl()} after its last renewal.
 *
 * <p>The client renews the session in the background. A session moves only forward:
 * {@code ALIVE -> LOST} or {@code ALIVE -> CLOSED}; <b>a lost session never heals</b>, even when
 * the store is reachable again: its keys may already be gone or about to go, so the holder must
 * act as if it held nothing and open a new session. It is reported lost when:
 * <ul>
 *   <li>etcd: the keepalive stream fails or ends, or no keepalive was answered for the TTL
 *       (jetcd does not heal a failed keepalive by itself);</li>
 *   <li>ZooKeeper: the session expired, or no server was reachable for the session timeout.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public sealed interface Session extends AutoCloseable permits EtcdSession, ZooKeeperSession {

    /** Where a session is in its one-way life. */
    enum State {
        /** Renewed in the background; its ephemeral keys live. */
        ALIVE,
        /** Renewal failed; its keys are gone or will go within the TTL. Final. */
        LOST,
        /** Ended by {@link #close()}. Final. */
        CLOSED
    }

    /** The store's id of the session, as hexadecimal text (etcd lease id, ZooKeeper session id). */
    String id();

    /** The time to live granted or negotiated by the store, which may differ from the one asked. */
    Duration ttl();

    /** The current state; {@link State#ALIVE} only while renewals succeed. */
    State state();

    /**
     * Asks the store to renew the session now, without waiting for the answer; does nothing while an
     * earlier request is unanswered (for up to the TTL) or when the session is not alive. The background
     * renewal goes on regardless; this one exists so that {@link #expiresNotBeforeNanos()} moves forward.
     */
    void renew();

    /**
     * A {@link System#nanoTime()} before which the store cannot have ended this session, whatever
     * happened since: the moment this client sent the last request of the session the store answered
     * (its creation or a {@link #renew()}), plus the TTL. A holder of an ephemeral key that must not act
     * after the key may be gone (a primary holding the leader key) stops acting before this moment.
     */
    long expiresNotBeforeNanos();

    /**
     * Calls {@code listener} once with a sentence saying why, when the session is lost; at once if
     * it already is. Not called on {@link #close()}. Listeners run on the event thread of the
     * {@link Dcs} that opened the session, in order, and may call that {@link Dcs}.
     */
    void onLost(Consumer<String> listener);

    /**
     * Ends the session and asks the store to delete its ephemeral keys at once (etcd revokes the
     * lease, ZooKeeper closes the session). Best effort: when the store is unreachable the keys go
     * when the TTL runs out. Idempotent; never throws.
     */
    @Override
    void close();
}
