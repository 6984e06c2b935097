package io.pgherd.proxy.auth;

/**
 * What the proxy knows about a user's password: the verifier PostgreSQL stores in {@code
 * pg_authid.rolpassword}, never the password.
 *
 * <p>The kind of secret decides how a client must log in and how the proxy then logs in to the
 * servers:
 * <ul>
 *   <li>{@link ScramSecret}: the client must use SCRAM-SHA-256 ({@link ScramServerExchange});
 *       the proxy recovers the client's ClientKey from its proof and logs in to servers that
 *       hold the same secret with it ({@link ScramClientExchange#withKeys}). md5 towards the
 *       client is impossible: the secret cannot check an md5 response.
 *   <li>{@link Md5Secret}: the client must use md5 ({@link Md5Auth#verify}); the proxy answers
 *       a server's md5 challenge with the secret alone ({@link Md5Auth#passwordMessage}). It
 *       cannot answer a server's SCRAM challenge.
 * </ul>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows key material; {@link
 * #toPostgresText()} does, and is for writing auth files and comparing with the server only.
 */
public sealed interface Secret permits ScramSecret, Md5Secret {

    /** How a SCRAM secret starts. */
    String SCRAM_PREFIX = "SCRAM-SHA-256$";
    /** How an md5 secret starts. */
    String MD5_PREFIX = "md5";

    /**
     * The secret as PostgreSQL stores it, e.g. {@code SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>}
     * or {@code md5} and 32 hex digits. It lets anyone who holds it log in as the user through
     * pgherd or to PostgreSQL with md5: never log it.
     */
    String toPostgresText();

    /**
     * Parses a secret in PostgreSQL's format, as found in {@code pg_authid.rolpassword} or in an
     * auth file.
     *
     * @param rolpassword {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}
     *     (base64, keys of 32 bytes) or {@code md5} followed by 32 lower-case hex digits
     * @throws InvalidSecretException if it is neither, for example a plaintext password; the
     *     message does not contain the string
     */
    static Secret parse(String rolpassword) {
        if (rolpassword == null || rolpassword.isEmpty()) {
            throw new InvalidSecretException("the secret is empty; expected "
                    + InvalidSecretException.FORMATS);
        }
        if (rolpassword.startsWith(SCRAM_PREFIX)) {
            return ScramSecret.parse(rolpassword);
        }
        if (rolpassword.startsWith(MD5_PREFIX) && rolpassword.length() == Md5Secret.LENGTH) {
            return Md5Secret.parse(rolpassword);
        }
        throw new InvalidSecretException("the secret is not in a known format (plaintext"
                + " passwords are not accepted); expected " + InvalidSecretException.FORMATS);
    }
}
