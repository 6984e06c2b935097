package io.pgherd.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * PostgreSQL's md5 password authentication, both ways: the proxy checks a client's
 * PasswordMessage against an {@link Md5Secret} and answers a server's
 * AuthenticationMD5Password with the same secret, without ever knowing the password.
 *
 * <p>The wire form is {@code "md5" + hex(md5(hex(md5(password || user)) || salt))}: the stored
 * secret is all it takes, which is why md5 secrets are password-equivalent and SCRAM is
 * preferred. Strings are hashed as UTF-8. Stateless and thread-safe.
 */
public final class Md5Auth {

    /** The length of a salt in AuthenticationMD5Password, in bytes. */
    public static final int SALT_LENGTH = 4;

    private static final HexFormat HEX = HexFormat.of();

    private Md5Auth() {
    }

    /**
     * The secret PostgreSQL stores for {@code password} under {@code password_encryption =
     * 'md5'}: {@code md5(password || user)}. For tests and tooling.
     */
    public static Md5Secret secret(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        return new Md5Secret(md5Hex((password + user).getBytes(StandardCharsets.UTF_8)));
    }

    /** Four fresh random bytes for an AuthenticationMD5Password the proxy sends a client. */
    public static byte[] newSalt() {
        return Scram.randomBytes(SALT_LENGTH);
    }

    /**
     * What to send in a PasswordMessage in answer to a server's AuthenticationMD5Password.
     *
     * @param salt the server's four salt bytes
     * @return {@code md5} followed by 32 hex digits
     * @throws IllegalArgumentException if {@code salt} is not four bytes
     */
    public static String passwordMessage(Md5Secret secret, byte[] salt) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(salt, "salt");
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("an md5 salt must be " + SALT_LENGTH
                    + " bytes (got " + salt.length + ")");
        }
        byte[] digest = secret.digest().getBytes(StandardCharsets.US_ASCII);
        byte[] input = new byte[digest.length + SALT_LENGTH];
        System.arraycopy(digest, 0, input, 0, digest.length);
        System.arraycopy(salt, 0, input, digest.length, SALT_LENGTH);
        return Secret.MD5_PREFIX + md5Hex(input);
    }

    /**
     * Checks a client's PasswordMessage, sent in answer to the proxy's AuthenticationMD5Password
     * with {@code salt}, in time that does not depend on where it differs.
     *
     * @param user the StartupMessage's user, for the exception
     * @param response the PasswordMessage's password
     * @throws AuthenticationFailedException if the response does not match
     */
    public static void verify(String user, Md5Secret secret, byte[] salt, String response) {
        Objects.requireNonNull(response, "response");
        byte[] expected = passwordMessage(secret, salt).getBytes(StandardCharsets.UTF_8);
        if (!Scram.constantTimeEquals(expected, response.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationFailedException(user, "md5 response does not match the"
                    + " user's md5 secret");
        }
    }

    private static String md5Hex(byte[] input) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(input));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5, which Java SE requires", e);
        }
    }
}
