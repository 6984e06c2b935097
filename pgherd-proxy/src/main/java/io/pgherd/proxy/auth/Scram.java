package io.pgherd.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 primitives of RFC 5802 §3 and RFC 7677: Hi (PBKDF2-HMAC-SHA-256), HMAC, H,
 * the key derivations and nonces. Stateless and thread-safe. Every method returns fresh arrays
 * the caller owns.
 */
final class Scram {

    /** The mechanism name, as offered in AuthenticationSASL and chosen in SASLInitialResponse. */
    static final String MECHANISM = "SCRAM-SHA-256";
    /** The length of SHA-256 output, of every key and of a proof, in bytes. */
    static final int KEY_LENGTH = 32;
    /** PostgreSQL's default iteration count ({@code scram_iterations}). */
    static final int DEFAULT_ITERATIONS = 4096;
    /** PostgreSQL's salt length, in bytes. */
    static final int DEFAULT_SALT_LENGTH = 16;
    /** Random bytes in a nonce, as PostgreSQL ({@code SCRAM_RAW_NONCE_LEN}); 24 base64 chars. */
    private static final int NONCE_BYTES = 18;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    /** SaltedPassword = Hi(Normalize(password), salt, i). */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("SCRAM iteration count must be >= 1 (got "
                    + iterations + ")");
        }
        byte[] key = SaslPrep.prepare(password).getBytes(StandardCharsets.UTF_8);
        // Hi() by hand rather than PBEKeySpec: a PBEKeySpec takes a char[] and would re-encode
        // the password, and the SunJCE provider refuses an empty one, which PostgreSQL accepts.
        Mac mac = hmac(key);
        mac.update(salt);
        mac.update(new byte[] {0, 0, 0, 1});
        byte[] u = mac.doFinal();
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    /** ClientKey = HMAC(SaltedPassword, "Client Key"). */
    static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    /** ServerKey = HMAC(SaltedPassword, "Server Key"). */
    static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    /** StoredKey = H(ClientKey). */
    static byte[] storedKey(byte[] clientKey) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(clientKey);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which Java SE requires", e);
        }
    }

    /** HMAC-SHA-256 of {@code message} (UTF-8) under {@code key}. */
    static byte[] hmac(byte[] key, String message) {
        return hmac(key).doFinal(message.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty key is legal in HMAC, but SecretKeySpec refuses it; a zero byte is the
            // same key once HMAC pads it to the block size.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256, which Java SE requires",
                    e);
        }
    }

    /** The byte-wise XOR of two arrays of equal length. */
    static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("XOR of " + a.length + " and " + b.length
                    + " bytes");
        }
        byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = (byte) (a[i] ^ b[i]);
        }
        return result;
    }

    /** Compares in time that depends only on the lengths, not on where the arrays differ. */
    static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** A fresh nonce: random bytes in base64, printable and without {@code ','}. */
    static String nonce() {
        return base64(randomBytes(NONCE_BYTES));
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Decodes standard base64 with padding, as SCRAM requires.
     *
     * @throws IllegalArgumentException if {@code text} is not valid base64
     */
    static byte[] decodeBase64(String text) {
        return Base64.getDecoder().decode(text);
    }

    /** Whether every char is printable ASCII other than {@code ','}, as a nonce must be. */
    static boolean isPrintableNonce(String nonce) {
        if (nonce.isEmpty()) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }
}
