package io.pgherd.proxy.backend;

import io.pgherd.proxy.auth.Md5Secret;
import io.pgherd.proxy.auth.ScramKeys;

/**
 * How the proxy logs in to a server as a user: with SCRAM keys recovered from a client's proof,
 * with an md5 secret, with a password (only for {@code auth_user}), or with nothing (trust). Never
 * shows secrets in {@link #toString()}.
 */
public sealed interface ServerCredentials {
    /** SCRAM-SHA-256 with a recovered ClientKey. */
    record Scram(ScramKeys keys) implements ServerCredentials {
        @Override
        public String toString() {
            return "Scram[keys redacted]";
        }
    }

    /** md5 with the user's md5 secret. */
    record Md5(Md5Secret secret) implements ServerCredentials {
        @Override
        public String toString() {
            return "Md5[secret redacted]";
        }
    }

    /** A password (SCRAM, md5 or cleartext, as the server asks). */
    record Password(String password) implements ServerCredentials {
        @Override
        public String toString() {
            return "Password[redacted]";
        }
    }

    /** No credentials: only servers that trust the proxy accept it. */
    record None() implements ServerCredentials {
    }
}
