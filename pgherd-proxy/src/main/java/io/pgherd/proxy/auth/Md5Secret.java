package io.pgherd.proxy.auth;

import java.util.Objects;

/**
 * An md5 verifier as PostgreSQL stores it: {@code md5(password || user)}. It is
 * password-equivalent for md5 logins (whoever holds it can answer any md5 challenge), so it is
 * never logged and {@link #toString()} hides it.
 *
 * @param digest the 32 lower-case hex digits of {@code md5(password || user)}, without the
 *     {@code md5} prefix
 */
public record Md5Secret(String digest) implements Secret {

    /** The length of the stored form: {@code md5} and 32 hex digits. */
    static final int LENGTH = 35;

    /** @throws IllegalArgumentException if {@code digest} is not 32 lower-case hex digits */
    public Md5Secret {
        Objects.requireNonNull(digest, "digest");
        if (!isLowerHex(digest, 32)) {
            throw new IllegalArgumentException("an md5 digest must be 32 lower-case hex digits"
                    + " (got " + digest.length() + " characters)");
        }
    }

    /** Parses {@code md5} followed by 32 lower-case hex digits. */
    static Md5Secret parse(String text) {
        String digest = text.substring(MD5_PREFIX.length());
        if (!isLowerHex(digest, 32)) {
            throw new InvalidSecretException("the md5 secret must be md5 followed by 32 lower-case"
                    + " hex digits; it has other characters after md5");
        }
        return new Md5Secret(digest);
    }

    static boolean isLowerHex(String text, int length) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toPostgresText() {
        return MD5_PREFIX + digest;
    }

    /** No digest. */
    @Override
    public String toString() {
        return "Md5Secret[digest=<hidden>]";
    }
}
