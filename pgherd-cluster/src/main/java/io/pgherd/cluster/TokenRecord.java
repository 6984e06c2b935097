package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code tokens/<id>}: one API token, by its public id. It holds the hash of the token, never the token
 * itself: whoever reads the DCS cannot authenticate with what is stored. Created with an atomic create, deleted when
 * revoked (or when its user is removed). {@link #toString()} leaves the hash out.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param id the token's public id (the key's last segment; also part of the token, so a request names its record)
 * @param user the user it authenticates as
 * @param userRevision the create revision of the user's record when the token was made: a user removed and added
 *                     again under the same name does not inherit a token the removal failed to delete
 * @param hash the token's hash, as the controller computes it (SHA-256, lowercase hex)
 * @param createdMillis when it was created, epoch ms
 * @param expiresMillis when it stops being accepted, epoch ms; null: never
 */
public record TokenRecord(@JsonProperty("format") int format,
                          @JsonProperty("id") String id,
                          @JsonProperty("user") String user,
                          @JsonProperty("user_revision") long userRevision,
                          @JsonProperty("hash") String hash,
                          @JsonProperty("created") long createdMillis,
                          @JsonProperty("expires") @JsonInclude(JsonInclude.Include.NON_NULL) Long expiresMillis) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    @Override
    public String toString() {
        return "TokenRecord[format=" + format + ", id=" + id + ", user=" + user + ", userRevision=" + userRevision
                + ", hash=<hidden>, createdMillis=" + createdMillis + ", expiresMillis=" + expiresMillis + "]";
    }
}
