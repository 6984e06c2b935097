package io.pgherd.controller.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape of API tokens, made and checked here only. A token is {@code pgh_<id>_<secret>}: {@code id} is
 * {@value #ID_BYTES} random bytes in lowercase hex, the token's public name (listed, revoked, written in the audit
 * log, and the key of its record), and {@code secret} is {@value #SECRET_BYTES} random bytes (256 bits) from
 * {@link SecureRandom} in base64url, 43 characters, fit for an HTTP header.
 *
 * <p>The DCS keeps only {@link #hash}: SHA-256 of the whole token. A fast hash is sound here, unlike for passwords:
 * slow, salted password hashes (bcrypt, Argon2) exist because passwords are guessable, so a stolen hash can be
 * attacked by trying likely passwords. A token's 256 random bits leave nothing to guess, and finding a SHA-256 preimage
 * is infeasible, so a reader of the DCS learns nothing it can authenticate with; a salt would add nothing to 256 bits
 * of entropy, and one SHA-256 per request keeps authentication cheap. Hashes are compared in constant time
 * ({@link MessageDigest#isEqual}). Thread-safe.
 */
public final class TokenSecrets {
    /** What every token starts with, so a leaked one can be recognised (and scanned for) as a pgherd token. */
    public static final String PREFIX = "pgh_";
    static final int ID_BYTES = 8;
    static final int SECRET_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{" + 2 * ID_BYTES + "}");
    private static final Pattern TOKEN = Pattern.compile(Pattern.quote(PREFIX) + "([0-9a-f]{" + 2 * ID_BYTES
            + "})_[A-Za-z0-9_-]{43}");
    private static final Pattern IN_TEXT = Pattern.compile(Pattern.quote(PREFIX) + "([0-9a-f]{" + 2 * ID_BYTES
            + "})_[A-Za-z0-9_-]+");

    private final SecureRandom random = new SecureRandom();

    /** A new random token id. */
    public String newId() {
        byte[] id = new byte[ID_BYTES];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** A new random token named {@code id}. */
    public String newToken(String id) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Whether {@code text} is a token id. */
    public static boolean isId(String text) {
        return text != null && ID.matcher(text).matches();
    }

    /** The id of {@code token}; empty when it is not shaped like a pgherd token. */
    public static Optional<String> idOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        var m = TOKEN.matcher(token);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The hash the DCS keeps of {@code token}: SHA-256 of its UTF-8 bytes, lowercase hex. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }

    /** Whether {@code token} hashes to {@code storedHash}, compared in constant time. */
    public static boolean matches(String token, String storedHash) {
        return storedHash != null && MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code text} with the secret part of anything shaped like a token replaced by {@code <hidden>} (the id kept). */
    public static String redact(String text) {
        return text == null ? null : IN_TEXT.matcher(text).replaceAll(PREFIX + "$1_<hidden>");
    }
}
