package io.pgherd.controller.access;

import java.time.Instant;

/**
 * One mutating API request, as the audit log keeps it.
 *
 * @param at      when it was answered
 * @param user    who sent it ({@code -} when it was not authenticated)
 * @param tokenId the token's public id ({@code -} when none)
 * @param action  what was asked, e.g. {@code POST /api/v1/spec/replicas}
 * @param target  what it was about (a member, a task id, a user), or empty
 * @param status  the HTTP status answered
 * @param outcome a sentence: what was done, or why not
 */
public record AuditEntry(Instant at, String user, String tokenId, String action, String target, int status,
        String outcome) {}
