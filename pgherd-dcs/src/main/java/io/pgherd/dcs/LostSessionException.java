package io.pgherd.dcs;

/**
 * An operation needed a {@link Session} that is no longer alive (lost or closed). Nothing was
 * written. A lost session never comes back: open a new one with {@link Dcs#openSession}.
 */
public final class LostSessionException extends DcsException {

    private static final long serialVersionUID = 1L;

    LostSessionException(String store, String operation, String key, Session session) {
        super(store, operation, key, "session " + session.id() + " is " + session.state(), null);
    }
}
