package io.pgherd.controller.access;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import io.pgherd.cluster.AccessStore;
import io.pgherd.cluster.AccessStore.UserEntry;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.TokenRecord;

/**
 * {@link Access} over the token and user records in the DCS: a bearer token is looked up by its id, its hash compared
 * in constant time ({@link TokenSecrets}), its expiry checked, and its user must still exist (the same incarnation of
 * the name the token was made for); the principal carries the user's role as it is now. A user whose role this
 * release does not know is taken as a {@link Role#VIEWER}. Every refusal of a presented token is counted per client
 * address and slowed ({@link FailedAuthentications}, {@link AuthDelays}); a request with no token at all is refused
 * at once and not counted (it guesses nothing). The reasons never quote the token. Thread-safe.
 *
 * @see io.pgherd.dcs.DcsException thrown when the DCS does not answer (the request cannot be authenticated)
 */
public final class DcsAccess implements Access {
    static final String NO_TOKEN = "no token";
    static final String NOT_BEARER = "not a bearer token (expected 'Authorization: Bearer <token>')";
    static final String UNKNOWN = "unknown or revoked token";
    static final String EXPIRED = "token expired";

    private final AccessStore store;
    private final FailedAuthentications failures;

    public DcsAccess(ClusterStore store) {
        this(new AccessStore(store), new FailedAuthentications());
    }

    public DcsAccess(AccessStore store, FailedAuthentications failures) {
        this.store = store;
        this.failures = failures;
    }

    @Override
    public AccessDecision authenticate(String authorization, String client, Instant now) {
        if (authorization == null || authorization.isBlank()) {
            return new AccessDecision.Refused(NO_TOKEN, Duration.ZERO);
        }
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) {
            return refuse(NOT_BEARER, client, now);
        }
        Optional<String> id = TokenSecrets.idOf(token.get());
        Optional<TokenRecord> record = id.flatMap(store::token);
        if (record.isEmpty() || !TokenSecrets.matches(token.get(), record.get().hash())) {
            return refuse(UNKNOWN, client, now);
        }
        if (record.get().expiresMillis() != null && !now.isBefore(Instant.ofEpochMilli(record.get().expiresMillis()))) {
            return refuse(EXPIRED, client, now);
        }
        Optional<UserEntry> user = store.user(record.get().user());
        if (user.isEmpty() || user.get().createRevision() != record.get().userRevision()) {
            return refuse(UNKNOWN, client, now);
        }
        Role role = Role.parse(user.get().user().role()).orElse(Role.VIEWER);
        return new AccessDecision.Granted(new Principal(user.get().user().name(), role, id.get()));
    }

    /** How many authentications failed since this was made (for metrics). */
    public long failedAuthentications() {
        return failures.count();
    }

    private AccessDecision refuse(String reason, String client, Instant now) {
        return new AccessDecision.Refused(reason, failures.fail(client, now));
    }

    /** The credentials of {@code Bearer <credentials>} (the scheme case-insensitive, RFC 9110); empty for another scheme. */
    static Optional<String> bearer(String authorization) {
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return Optional.empty();
        }
        String credentials = value.substring(space + 1).strip();
        return credentials.isEmpty() ? Optional.empty() : Optional.of(credentials);
    }
}
