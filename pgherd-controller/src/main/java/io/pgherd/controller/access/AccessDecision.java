package io.pgherd.controller.access;

import java.time.Duration;

/** The answer of {@link Access#authenticate}: a principal, or a refusal the server answers with 401. */
public sealed interface AccessDecision {

    /** The request carries a valid token of {@code principal}. */
    record Granted(Principal principal) implements AccessDecision {}

    /**
     * The request is not authenticated.
     *
     * @param reason a sentence for the client and the log: "no token", "unknown or revoked token", "token
     *               expired"; never any part of the token
     * @param delay  how long the server waits before answering (failed authentications are slowed)
     */
    record Refused(String reason, Duration delay) implements AccessDecision {}
}
