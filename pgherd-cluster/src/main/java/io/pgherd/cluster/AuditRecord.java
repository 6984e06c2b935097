package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of the record {@link AuditTrail}: one mutating request to the cluster API. Its texts are cut to
 * {@link #MAX_TEXT} characters, so that the bounded log stays small enough for one DCS value.
 *
 * @param atMillis when it was answered, epoch ms
 * @param user who sent it ({@code -} when it was not authenticated)
 * @param tokenId the public id of the token used ({@code -} when none); never the token
 * @param action what was asked, such as {@code PUT /api/v1/spec/replicas}
 * @param target what it was about (a member, a task, a user), or empty
 * @param status the HTTP status answered
 * @param outcome a sentence: what was done, or why not
 */
public record AuditRecord(@JsonProperty("at") long atMillis,
                          @JsonProperty("user") String user,
                          @JsonProperty("token_id") String tokenId,
                          @JsonProperty("action") String action,
                          @JsonProperty("target") String target,
                          @JsonProperty("status") int status,
                          @JsonProperty("outcome") String outcome) {
    /** The longest text kept in a field; longer ones are cut and end with {@code …}. */
    public static final int MAX_TEXT = 300;

    public AuditRecord {
        user = cut(user);
        tokenId = cut(tokenId);
        action = cut(action);
        target = cut(target);
        outcome = cut(outcome);
    }

    private static String cut(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
    }
}
