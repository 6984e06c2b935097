package io.pgherd.proxy.auth;

/**
 * A string is not a secret pgherd can use: neither a well-formed SCRAM-SHA-256 secret nor an md5
 * secret as PostgreSQL stores them in {@code pg_authid.rolpassword}. The message says what is
 * wrong with it and never contains the string itself, which may be a plaintext password.
 */
public final class InvalidSecretException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The accepted formats, for messages. */
    static final String FORMATS = "a SCRAM-SHA-256 secret"
            + " (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)"
            + " or an md5 secret (md5 followed by 32 lower-case hex digits)";

    /** @param message what is wrong, observed against expected, without the secret */
    public InvalidSecretException(String message) {
        super(message);
    }

    /** @param cause for example the base64 decoder's complaint */
    public InvalidSecretException(String message, Throwable cause) {
        super(message, cause);
    }
}
