package io.pgherd.controller.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The users and tokens, kept in the DCS. Tokens are random (at least 256 bits), returned once by
 * {@link #createToken} and stored only as a hash. Every method throws {@link AccessException} with a sentence for
 * the caller when the request cannot be done (unknown user, user exists, bad name, ...).
 */
public interface Directory {

    /** A user. */
    record User(String name, Role role, Instant created) {}

    /** A token as listed: never the secret, never its hash. */
    record TokenInfo(String id, String user, Instant created, Optional<Instant> expires) {}

    /** A token just created: {@code secret} is what the client sends and is shown this once. */
    record IssuedToken(TokenInfo info, String secret) {
        @Override
        public String toString() {
            return "IssuedToken[" + info + ", secret=<hidden>]";
        }
    }

    User addUser(String name, Role role);

    /** Removes the user and revokes all its tokens. */
    void removeUser(String name);

    List<User> users();

    IssuedToken createToken(String user, Optional<Instant> expires);

    void revokeToken(String id);

    List<TokenInfo> tokens();
}
