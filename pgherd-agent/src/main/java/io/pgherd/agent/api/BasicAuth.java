package io.pgherd.agent.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP basic authentication (RFC 7617) for the writing endpoints against one configured user. Keeps
 * only a SHA-256 digest of {@code user:password} and compares digests in constant time, so neither
 * the password's content nor its length leaks through timing. Never shows the password, in
 * {@code toString()} or anywhere else. Thread-safe (immutable).
 */
final class BasicAuth {
    private final String user;
    private final byte[] expected;

    /** @throws IllegalArgumentException for a blank user, a user with a colon, or an empty password */
    BasicAuth(String user, String password) {
        if (user == null || user.isBlank() || user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("REST API: the user must be set and hold no ':' (got '" + user + "')");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("REST API: a password is required for the writing endpoints of user " + user);
        }
        this.user = user;
        this.expected = sha256((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    String user() {
        return user;
    }

    /** Whether an {@code Authorization} header (null when absent) carries the configured user and password. */
    boolean accepts(String authorization) {
        if (authorization == null) {
            return false;
        }
        String header = authorization.strip();
        if (header.length() < 6 || !header.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(given));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BasicAuth[user=" + user + ", password=(hidden)]";
    }
}
