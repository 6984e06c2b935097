package io.pgherd.proxy.auth;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the proxy needs to log in to a server as a user with SCRAM, without the password: the
 * user's secret (for ServerKey, and to check the server's salt and iteration count) and the
 * ClientKey recovered from a client's proof by {@link ScramServerExchange}.
 *
 * <p>The ClientKey is password-equivalent towards any server that holds the same secret: keep it
 * in memory only, never log or persist it. Immutable; the constructor and {@link #clientKey()}
 * copy. {@link #toString()} shows no key material.
 *
 * @param secret the user's SCRAM secret
 * @param clientKey HMAC(SaltedPassword, "Client Key"), 32 bytes, whose hash is the secret's
 *     StoredKey
 */
public record ScramKeys(ScramSecret secret, byte[] clientKey) {

    /** @throws IllegalArgumentException if H(clientKey) is not the secret's StoredKey */
    public ScramKeys {
        Objects.requireNonNull(secret, "secret");
        clientKey = Objects.requireNonNull(clientKey, "clientKey").clone();
        if (!secret.matchesClientKey(clientKey)) {
            throw new IllegalArgumentException("the ClientKey does not belong to the secret:"
                    + " its SHA-256 hash is not the secret's StoredKey");
        }
    }

    /** A copy of the ClientKey; secret. */
    @Override
    public byte[] clientKey() {
        return clientKey.clone();
    }

    /** Compares content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ScramKeys that && secret.equals(that.secret)
                && Arrays.equals(clientKey, that.clientKey);
    }

    @Override
    public int hashCode() {
        return secret.hashCode();
    }

    /** No key material. */
    @Override
    public String toString() {
        return "ScramKeys[" + secret + ", clientKey=<hidden>]";
    }
}
