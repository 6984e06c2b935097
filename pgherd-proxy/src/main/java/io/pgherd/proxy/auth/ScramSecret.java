package io.pgherd.proxy.auth;

import java.util.Arrays;
import java.util.Objects;

/**
 * A SCRAM-SHA-256 verifier as PostgreSQL stores it: enough to check a client's proof and to sign
 * the server-final-message, not enough to log in anywhere without a client's proof.
 *
 * <p>Immutable: the constructor and accessors copy the arrays. Equal by content. {@link
 * #toString()} shows the iteration count and sizes only.
 *
 * @param iterations the PBKDF2 iteration count, at least 1
 * @param salt the salt, at least one byte
 * @param storedKey H(ClientKey), 32 bytes
 * @param serverKey HMAC(SaltedPassword, "Server Key"), 32 bytes
 */
public record ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey)
        implements Secret {

    /**
     * @throws IllegalArgumentException if {@code iterations < 1}, the salt is empty or a key is
     *     not 32 bytes
     */
    public ScramSecret {
        if (iterations < 1) {
            throw new IllegalArgumentException("SCRAM iteration count must be >= 1 (got "
                    + iterations + ")");
        }
        salt = Objects.requireNonNull(salt, "salt").clone();
        if (salt.length == 0) {
            throw new IllegalArgumentException("SCRAM salt must not be empty");
        }
        storedKey = requireKey(storedKey, "StoredKey");
        serverKey = requireKey(serverKey, "ServerKey");
    }

    /**
     * Derives the secret PostgreSQL would store for {@code password}: a random 16-byte salt and
     * 4096 iterations, as {@code password_encryption = 'scram-sha-256'} does by default. For
     * tests and tooling; the proxy itself never sees passwords.
     */
    public static ScramSecret fromPassword(String password) {
        return fromPassword(password, Scram.randomBytes(Scram.DEFAULT_SALT_LENGTH),
                Scram.DEFAULT_ITERATIONS);
    }

    /**
     * Derives the secret for {@code password} with the given salt and iteration count. The
     * password is SASLprep-ed as PostgreSQL does.
     *
     * @throws IllegalArgumentException if {@code iterations < 1} or the salt is empty
     */
    public static ScramSecret fromPassword(String password, byte[] salt, int iterations) {
        Objects.requireNonNull(password, "password");
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        return new ScramSecret(iterations, salt, Scram.storedKey(Scram.clientKey(salted)),
                Scram.serverKey(salted));
    }

    /** Parses {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}. */
    static ScramSecret parse(String text) {
        String rest = text.substring(SCRAM_PREFIX.length());
        int colon = rest.indexOf(':');
        int dollar = rest.indexOf('$');
        int lastColon = rest.lastIndexOf(':');
        if (colon < 0 || dollar < colon || lastColon < dollar) {
            throw new InvalidSecretException("the SCRAM secret is malformed; expected "
                    + InvalidSecretException.FORMATS);
        }
        int iterations = parseIterations(rest.substring(0, colon));
        byte[] salt = decode(rest.substring(colon + 1, dollar), "salt");
        byte[] storedKey = decode(rest.substring(dollar + 1, lastColon), "StoredKey");
        byte[] serverKey = decode(rest.substring(lastColon + 1), "ServerKey");
        try {
            return new ScramSecret(iterations, salt, storedKey, serverKey);
        } catch (IllegalArgumentException e) {
            throw new InvalidSecretException("the SCRAM secret is malformed: " + e.getMessage(),
                    e);
        }
    }

    private static int parseIterations(String digits) {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(
                c -> c >= '0' && c <= '9')) {
            throw new InvalidSecretException("the SCRAM secret's iteration count is not a"
                    + " positive decimal integer");
        }
        long value = Long.parseLong(digits);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new InvalidSecretException("the SCRAM secret's iteration count must be between"
                    + " 1 and " + Integer.MAX_VALUE + " (got " + value + ")");
        }
        return (int) value;
    }

    private static byte[] decode(String base64, String what) {
        try {
            return Scram.decodeBase64(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidSecretException("the SCRAM secret's " + what + " is not valid base64",
                    e);
        }
    }

    private static byte[] requireKey(byte[] key, String name) {
        Objects.requireNonNull(key, name);
        if (key.length != Scram.KEY_LENGTH) {
            throw new IllegalArgumentException(name + " must be " + Scram.KEY_LENGTH
                    + " bytes (got " + key.length + ")");
        }
        return key.clone();
    }

    /** A copy of the salt. */
    @Override
    public byte[] salt() {
        return salt.clone();
    }

    /** A copy of StoredKey. */
    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    /** A copy of ServerKey. */
    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Whether H(clientKey) is this secret's StoredKey, in constant time. */
    boolean matchesClientKey(byte[] clientKey) {
        return Scram.constantTimeEquals(Scram.storedKey(clientKey), storedKey);
    }

    /** Whether {@code otherSalt} and {@code otherIterations} are this secret's. */
    boolean hasParameters(byte[] otherSalt, int otherIterations) {
        return iterations == otherIterations && Arrays.equals(salt, otherSalt);
    }

    @Override
    public String toPostgresText() {
        return SCRAM_PREFIX + iterations + ":" + Scram.base64(salt) + "$"
                + Scram.base64(storedKey) + ":" + Scram.base64(serverKey);
    }

    /** Compares content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ScramSecret that && iterations == that.iterations
                && Arrays.equals(salt, that.salt) && Arrays.equals(storedKey, that.storedKey)
                && Arrays.equals(serverKey, that.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * iterations + Arrays.hashCode(salt)) + Arrays.hashCode(storedKey);
    }

    /** The iteration count and the salt's size; no key material. */
    @Override
    public String toString() {
        return "ScramSecret[iterations=" + iterations + ", salt=" + salt.length
                + " bytes, keys=<hidden>]";
    }
}
