package io.pgherd.agent;

import java.time.Duration;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.common.config.Durations;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.Session;
import io.pgherd.dcs.Watch;
import io.pgherd.dcs.WatchEvent;

/**
 * The agent's DCS session, under which its member record and the leader key live, and its watch on the cluster's
 * keys. A session is opened when none is alive, with the ttl of the dynamic configuration at that moment; after a
 * cycle the DCS did not answer it is opened anew (the old one may expire at any moment, its keys with it, and no
 * decision may rest on a key about to vanish); and for a new ttl once the member neither leads nor acts
 * ({@link #renewForTtl}: the leader keeps its session, since closing it would drop the leader key). Opening and
 * closing happen on the agent's loop thread; {@link #current} and {@link #alive} may be read from any thread.
 */
final class AgentSession {
    private static final Logger log = LoggerFactory.getLogger(AgentSession.class);

    private final String name;
    private final Dcs dcs;
    private final String prefix;
    private final Runnable onLost;
    private final Consumer<WatchEvent> onEvent;
    private volatile Session session;
    private Duration sessionTtl;
    private Duration ttlNoticed;
    private Watch watch;
    private boolean dcsFailed;

    /**
     * @param prefix the cluster's keys, which the watch covers
     * @param onLost run (on a DCS thread) when a session is lost
     * @param onEvent each change under {@code prefix} (on the DCS's event thread)
     */
    AgentSession(String name, Dcs dcs, String prefix, Runnable onLost, Consumer<WatchEvent> onEvent) {
        this.name = name;
        this.dcs = dcs;
        this.prefix = prefix;
        this.onLost = onLost;
        this.onEvent = onEvent;
    }

    /** The session now; null before the first one and between a close and the next open. */
    Session current() {
        return session;
    }

    /** Whether there is a session and it is alive. */
    boolean alive() {
        Session s = session;
        return s != null && s.state() == Session.State.ALIVE;
    }

    /**
     * Before a cycle reads the DCS: a session alive (with {@code ttl} when a new one is opened) and the watch.
     *
     * @throws DcsException when the DCS does not answer ({@link #unanswered} is then to be called)
     */
    void open(Duration ttl) {
        if (dcsFailed && session != null) {
            // After an outage the old session may expire at any moment, its keys with it: start afresh, so
            // no decision rests on a key that is about to vanish.
            log.info("{}: the DCS answers again; opening a new session", name);
            session.close();
            session = null;
        }
        if (session == null || session.state() != Session.State.ALIVE) {
            if (session != null) {
                log.warn("{}: the DCS session was lost; opening a new one", name);
                session.close();
            }
            sessionTtl = ttl;
            session = dcs.openSession(sessionTtl);
            session.onLost(why -> onLost.run());
        }
        if (watch == null) {
            watch = dcs.watch(prefix, onEvent);
        }
    }

    /** The DCS answered this cycle. */
    void answered() {
        dcsFailed = false;
    }

    /** The DCS did not answer this cycle: the next {@link #open} opens a new session. */
    void unanswered() {
        dcsFailed = true;
    }

    /**
     * A new ttl applies to the next DCS session. A member that does not lead opens one at once; the
     * leader keeps its session, since closing it would drop the leader key.
     *
     * @param ttl the ttl the dynamic configuration sets now
     * @param reachable whether the DCS answered this cycle
     * @param keep whether this member leads or acted this cycle (its session stays)
     */
    void renewForTtl(Duration ttl, boolean reachable, boolean keep) {
        if (session == null || sessionTtl == null || sessionTtl.equals(ttl) || !reachable) {
            return;
        }
        if (keep) {
            if (!ttl.equals(ttlNoticed)) {
                log.info("{}: ttl {} applies from this member's next DCS session (it holds a session of {})", name,
                        Durations.format(ttl), Durations.format(sessionTtl));
                ttlNoticed = ttl;
            }
            return;
        }
        log.info("{}: opening a new DCS session for ttl {} (was {})", name, Durations.format(ttl), Durations.format(sessionTtl));
        session.close();
        session = null;
    }

    /** Closes the watch, then the session (the member record and any leader key go with it). */
    void close() {
        if (watch != null) {
            watch.close();
        }
        if (session != null) {
            session.close();
        }
    }
}
