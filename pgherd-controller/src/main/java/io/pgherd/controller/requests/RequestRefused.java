package io.pgherd.controller.requests;

import java.util.Optional;

/**
 * A request of a user (scale, switchover, failover, ...) that the cluster does not allow as it is, with one sentence
 * saying why; nothing was written. The CLI prints the sentence, the API answers it as a problem: {@link Kind} tells
 * which status, {@code field} which field of the request is at fault (empty when none is).
 */
public final class RequestRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why: the API maps it to a status. */
    public enum Kind {
        /** A value out of its range or of the wrong form (400). */
        INVALID,
        /** A named member or task does not exist (404). */
        NOT_FOUND,
        /** The cluster's state does not allow it now (409). */
        CONFLICT
    }

    private final Kind kind;
    private final String field;

    public RequestRefused(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field == null ? "" : field;
    }

    public RequestRefused(Kind kind, String message) {
        this(kind, "", message);
    }

    public Kind kind() {
        return kind;
    }

    /** The request's field at fault, if one is. */
    public Optional<String> field() {
        return field.isEmpty() ? Optional.empty() : Optional.of(field);
    }
}
