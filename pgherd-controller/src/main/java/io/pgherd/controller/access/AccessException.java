package io.pgherd.controller.access;

/** A user or token request that cannot be done, with a sentence for the caller (the API answers 4xx with it). */
public final class AccessException extends RuntimeException {

    /** What kind of problem: the API maps it to a status and a problem type. */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID }

    private final Kind kind;

    public AccessException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
