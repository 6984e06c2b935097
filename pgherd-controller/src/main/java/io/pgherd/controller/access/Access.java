package io.pgherd.controller.access;

import java.time.Instant;

/** Authenticates API requests by bearer token. Thread-safe. */
public interface Access {

    /**
     * Who sent a request.
     *
     * @param authorization the request's {@code Authorization} header ({@code Bearer <token>}), or null if absent
     * @param client        the client's address, for counting and slowing failed attempts
     * @param now           the time of the request (expiry is checked against it)
     */
    AccessDecision authenticate(String authorization, String client, Instant now);
}
