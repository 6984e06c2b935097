package io.pgherd.dcs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-way state of a {@link Session} and its lost-listeners, shared by both backends.
 * Transitions are atomic; listeners are called once, on the given executor.
 */
final class SessionLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SessionLifecycle.class);

    private final String subject;
    private final Executor events;
    private final List<Consumer<String>> listeners = new ArrayList<>();
    private Session.State state = Session.State.ALIVE;
    private String lostReason;

    /**
     * @param subject names the session in logs, such as {@code etcd lease 694d7c6f0d2b1a04}
     * @param events  where listeners run
     */
    SessionLifecycle(String subject, Executor events) {
        this.subject = subject;
        this.events = events;
    }

    synchronized Session.State state() {
        return state;
    }

    /** Moves ALIVE to LOST and notifies listeners; returns false if the session was not alive. */
    boolean lose(String reason) {
        List<Consumer<String>> toCall;
        synchronized (this) {
            if (state != Session.State.ALIVE) {
                return false;
            }
            state = Session.State.LOST;
            lostReason = reason;
            toCall = List.copyOf(listeners);
            listeners.clear();
        }
        log.warn("{}: lost: {}", subject, reason);
        toCall.forEach(listener -> notify(listener, reason));
        return true;
    }

    /** Moves ALIVE to CLOSED; returns false if the session was already lost or closed. */
    synchronized boolean close() {
        if (state != Session.State.ALIVE) {
            return false;
        }
        state = Session.State.CLOSED;
        listeners.clear();
        return true;
    }

    void onLost(Consumer<String> listener) {
        String reason;
        synchronized (this) {
            switch (state) {
                case ALIVE -> {
                    listeners.add(listener);
                    return;
                }
                case CLOSED -> {
                    return;
                }
                case LOST -> reason = lostReason;
                default -> throw new IllegalStateException(subject + ": unknown state " + state);
            }
        }
        notify(listener, reason);
    }

    private void notify(Consumer<String> listener, String reason) {
        try {
            events.execute(() -> {
                try {
                    listener.accept(reason);
                } catch (RuntimeException e) {
                    log.error("{}: lost-listener failed", subject, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // The Dcs is closed: nobody is left to tell.
            log.debug("{}: lost-listener not called, the Dcs is closed", subject);
        }
    }
}
