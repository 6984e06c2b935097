package io.pgherd.cluster;

/**
 * The key {@code leader}: its value is the leading member's name as plain text (not JSON), its
 * create revision the epoch, the fencing token.
 *
 * @param member the member that holds the key
 * @param epoch the key's create revision
 * @param modRevision the key's modRevision, which releasing it compares against
 */
public record Leader(String member, long epoch, long modRevision) {
}
