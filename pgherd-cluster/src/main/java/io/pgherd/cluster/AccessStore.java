package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Entry;

/**
 * The records of who may use the cluster API: users ({@code users/<name>}, {@link UserRecord}), their tokens
 * ({@code tokens/<id>}, {@link TokenRecord}, holding a hash, never a token), and the audit log of mutating requests
 * ({@link ClusterKeys#auditLog()}, {@link AuditTrail}). Users and tokens are created with an atomic create and
 * deleted when removed or revoked; the audit log is one value changed with compare-and-set, so two controllers
 * appending at once both get their entry in. A record that cannot be read is reported ({@link UnreadableRecords})
 * and counts as absent. Thread-safe, like the {@link Dcs} under it.
 */
public final class AccessStore {
    /**
     * How many times an audit append is tried before {@link ConflictException}: more than
     * {@link ClusterStore#MAX_TRIES}, as a lost entry is worse than a retry, and every loss means another append won.
     */
    public static final int AUDIT_TRIES = 50;

    private final Dcs dcs;
    private final ClusterKeys keys;
    private final UnreadableRecords unreadable;

    /** A user as read, with the create revision of its record (which tells its incarnations apart). */
    public record UserEntry(UserRecord user, long createRevision) {
    }

    public AccessStore(ClusterStore store) {
        this.dcs = store.dcs();
        this.keys = store.keys();
        this.unreadable = store.unreadable();
    }

    /** One user; empty when absent or unreadable (reported). */
    public Optional<UserEntry> user(String name) {
        return dcs.get(keys.user(name)).flatMap(e -> parse(e, UserRecord.class).map(u -> new UserEntry(u, e.createRevision())));
    }

    /** Every user that can be read, sorted by name. */
    public List<UserRecord> users() {
        List<UserRecord> out = new ArrayList<>();
        for (Entry e : dcs.list(keys.users())) {
            parse(e, UserRecord.class).ifPresent(out::add);
        }
        return out;
    }

    /** Creates a user; false (nothing written) when a record of that name exists. */
    public boolean createUser(UserRecord user) {
        return dcs.createIfAbsent(keys.user(user.name()), ClusterJson.write(user));
    }

    /** Deletes a user's record (not its tokens: see {@link #deleteToken}); false when there was none. */
    public boolean deleteUser(String name) {
        return dcs.delete(keys.user(name));
    }

    /** One token's record; empty when absent or unreadable (reported). */
    public Optional<TokenRecord> token(String id) {
        return dcs.get(keys.token(id)).flatMap(this::token);
    }

    /** Every token record that can be read, sorted by id. */
    public List<TokenRecord> tokens() {
        List<TokenRecord> out = new ArrayList<>();
        for (Entry e : dcs.list(keys.tokens())) {
            token(e).ifPresent(out::add);
        }
        return out;
    }

    /** Creates a token's record; false (nothing written) when one of that id exists. */
    public boolean createToken(TokenRecord token) {
        return dcs.createIfAbsent(keys.token(token.id()), ClusterJson.write(token));
    }

    /** Deletes a token's record (revokes it); false when there was none. */
    public boolean deleteToken(String id) {
        return dcs.delete(keys.token(id));
    }

    /** The audit log, oldest first; empty when absent or unreadable (reported). */
    public AuditTrail auditTrail() {
        return dcs.get(keys.auditLog()).flatMap(e -> parse(e, AuditTrail.class)).orElse(AuditTrail.EMPTY);
    }

    /**
     * Appends {@code entry} to the audit log, dropping the oldest beyond {@code maxEntries}, with compare-and-set
     * (read again and appended again when another writer got in first). An unreadable log is reported and started
     * afresh.
     *
     * @throws ConflictException after {@link #AUDIT_TRIES} lost races (nothing written)
     */
    public void appendAudit(AuditRecord entry, int maxEntries) {
        String key = keys.auditLog();
        for (int attempt = 0; attempt < AUDIT_TRIES; attempt++) {
            Optional<Entry> current = dcs.get(key);
            AuditTrail trail = current.flatMap(e -> parse(e, AuditTrail.class)).orElse(AuditTrail.EMPTY);
            String value = ClusterJson.write(trail.append(entry, maxEntries));
            if (current.isEmpty() ? dcs.createIfAbsent(key, value) : dcs.compareAndSet(key, current.get().modRevision(), value)) {
                return;
            }
        }
        throw new ConflictException(key, AUDIT_TRIES);
    }

    /**
     * A token's record; one that cannot be read is reported without the parser's words, which may quote the value
     * (the hash stays out of the log).
     */
    private Optional<TokenRecord> token(Entry e) {
        try {
            TokenRecord record = ClusterJson.read(e.key(), e.value(), TokenRecord.class);
            unreadable.readable(e.key());
            return Optional.of(record);
        } catch (UnreadableRecordException problem) {
            unreadable.report(new UnreadableRecordException(e.key(), "not a token record"));
            return Optional.empty();
        }
    }

    private <T> Optional<T> parse(Entry e, Class<T> type) {
        try {
            T record = ClusterJson.read(e.key(), e.value(), type);
            unreadable.readable(e.key());
            return Optional.of(record);
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            return Optional.empty();
        }
    }
}
