package io.pgherd.controller.access;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.pgherd.cluster.AccessStore;
import io.pgherd.cluster.AccessStore.UserEntry;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.TokenRecord;
import io.pgherd.cluster.UserRecord;
import io.pgherd.controller.access.AccessException.Kind;

/**
 * {@link Directory} over the records in the DCS ({@link AccessStore}): a user is created with an atomic create, so
 * two admins adding the same name cannot both succeed; a token's record holds its hash ({@link TokenSecrets}), never
 * the token, which {@link #createToken} returns this once. Removing a user deletes its record first (from then on its
 * tokens are refused, see {@link DcsAccess}), then its tokens' records. A user whose role this release does not know
 * is listed as a {@link Role#VIEWER}. Thread-safe.
 *
 * @see io.pgherd.dcs.DcsException thrown when the DCS does not answer (a write may or may not have happened)
 */
public final class DcsDirectory implements Directory {
    /** A user name: a letter or digit, then up to 62 letters, digits, {@code _ . @ -}. */
    static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}");
    private static final int ID_TRIES = 5;

    private final AccessStore store;
    private final Clock clock;
    private final TokenSecrets secrets = new TokenSecrets();

    public DcsDirectory(ClusterStore store, Clock clock) {
        this(new AccessStore(store), clock);
    }

    public DcsDirectory(AccessStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public User addUser(String name, Role role) {
        checkName(name);
        if (role == null) {
            throw new AccessException(Kind.INVALID, "a user needs a role: viewer, operator or admin");
        }
        UserRecord record = UserRecord.of(name, role.wireName(), clock.millis());
        if (!store.createUser(record)) {
            throw new AccessException(Kind.CONFLICT, "user " + name + " exists");
        }
        return user(record);
    }

    @Override
    public void removeUser(String name) {
        checkName(name);
        if (!store.deleteUser(name)) {
            throw new AccessException(Kind.NOT_FOUND, "no user " + name);
        }
        for (TokenRecord token : store.tokens()) {
            if (token.user().equals(name)) {
                store.deleteToken(token.id());
            }
        }
    }

    @Override
    public List<User> users() {
        return store.users().stream().map(DcsDirectory::user).toList();
    }

    @Override
    public IssuedToken createToken(String user, Optional<Instant> expires) {
        checkName(user);
        Instant now = clock.instant();
        if (expires.isPresent() && !expires.get().isAfter(now)) {
            throw new AccessException(Kind.INVALID, "the expiry must be in the future (got " + expires.get() + ", now is "
                    + now + ")");
        }
        UserEntry owner = store.user(user).orElseThrow(() -> new AccessException(Kind.NOT_FOUND, "no user " + user));
        for (int attempt = 0; attempt < ID_TRIES; attempt++) {
            String id = secrets.newId();
            String token = secrets.newToken(id);
            TokenRecord record = new TokenRecord(TokenRecord.FORMAT, id, user, owner.createRevision(), TokenSecrets.hash(token),
                    now.toEpochMilli(), expires.map(Instant::toEpochMilli).orElse(null));
            if (store.createToken(record)) {
                // The user may have been removed since it was read: its removal would not have seen this token.
                if (store.user(user).map(UserEntry::createRevision).filter(r -> r == owner.createRevision()).isEmpty()) {
                    store.deleteToken(id);
                    throw new AccessException(Kind.NOT_FOUND, "no user " + user + " (removed while the token was made)");
                }
                return new IssuedToken(info(record), token);
            }
        }
        throw new IllegalStateException("no free token id in " + ID_TRIES + " random tries (the random source is broken)");
    }

    @Override
    public void revokeToken(String id) {
        if (!TokenSecrets.isId(id)) {
            // Not echoed: it may be a whole token pasted by mistake.
            throw new AccessException(Kind.INVALID, "a token id is " + 2 * TokenSecrets.ID_BYTES
                    + " lowercase hex digits, as the token list shows (not the token itself)");
        }
        if (!store.deleteToken(id)) {
            throw new AccessException(Kind.NOT_FOUND, "no token " + id);
        }
    }

    @Override
    public List<TokenInfo> tokens() {
        return store.tokens().stream().map(DcsDirectory::info).toList();
    }

    private static void checkName(String name) {
        if (name == null || !USER_NAME.matcher(name).matches()) {
            throw new AccessException(Kind.INVALID, "a user name is 1 to 63 letters, digits, '_', '.', '@' or '-', starting"
                    + " with a letter or digit" + (name == null || name.length() > 63 ? "" : " (got '" + name + "')"));
        }
    }

    private static User user(UserRecord record) {
        return new User(record.name(), Role.parse(record.role()).orElse(Role.VIEWER), Instant.ofEpochMilli(record.createdMillis()));
    }

    private static TokenInfo info(TokenRecord record) {
        return new TokenInfo(record.id(), record.user(), Instant.ofEpochMilli(record.createdMillis()),
                Optional.ofNullable(record.expiresMillis()).map(Instant::ofEpochMilli));
    }
}
