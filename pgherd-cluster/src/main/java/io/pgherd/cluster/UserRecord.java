package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code users/<name>}: one user of the cluster API, created by an admin (API, {@code pgherd user add},
 * {@code pgherd up}) with an atomic create and deleted when removed. No password: a user authenticates with its
 * tokens ({@link TokenRecord}).
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param name the user's name (the key's last segment)
 * @param role {@code viewer}, {@code operator} or {@code admin}; a role this release does not know reads as it is
 *             (the controller treats it as the least one)
 * @param createdMillis when it was created, epoch ms
 */
public record UserRecord(@JsonProperty("format") int format,
                         @JsonProperty("name") String name,
                         @JsonProperty("role") String role,
                         @JsonProperty("created") long createdMillis) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    /** A new user of this release's format. */
    public static UserRecord of(String name, String role, long createdMillis) {
        return new UserRecord(FORMAT, name, role, createdMillis);
    }
}
