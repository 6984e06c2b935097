package io.pgherd.controller.access;

import java.time.Instant;
import java.util.List;

import io.pgherd.cluster.AccessStore;
import io.pgherd.cluster.AuditRecord;
import io.pgherd.cluster.ClusterStore;

/**
 * {@link AuditLog} in one DCS value ({@link AccessStore#appendAudit}): appended with compare-and-set, so entries of
 * two controllers answering at once are both kept, and bounded to {@code maxEntries} (the oldest dropped). Anything
 * shaped like a token in an entry's texts is written with its secret part hidden ({@link TokenSecrets#redact}). Times
 * are kept to the millisecond. Thread-safe.
 *
 * @see io.pgherd.cluster.ConflictException thrown when appends of others kept winning (the entry is not written)
 * @see io.pgherd.dcs.DcsException thrown when the DCS does not answer
 */
public final class DcsAuditLog implements AuditLog {
    /**
     * How many entries are kept by default: each is at most about 1.5 KB ({@link AuditRecord#MAX_TEXT} per text) and
     * typically 200 bytes, so the log stays far below the DCS's value limit (1 MB on ZooKeeper, 1.5 MB on etcd) and is
     * cheap to rewrite on each mutating request.
     */
    public static final int MAX_ENTRIES = 500;

    private final AccessStore store;
    private final int maxEntries;

    public DcsAuditLog(ClusterStore store) {
        this(new AccessStore(store), MAX_ENTRIES);
    }

    public DcsAuditLog(AccessStore store, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("an audit log keeps at least 1 entry (got " + maxEntries + ")");
        }
        this.store = store;
        this.maxEntries = maxEntries;
    }

    @Override
    public void append(AuditEntry entry) {
        store.appendAudit(new AuditRecord(entry.at().toEpochMilli(), TokenSecrets.redact(entry.user()), entry.tokenId(),
                TokenSecrets.redact(entry.action()), TokenSecrets.redact(entry.target()), entry.status(),
                TokenSecrets.redact(entry.outcome())), maxEntries);
    }

    @Override
    public List<AuditEntry> recent(int limit) {
        return store.auditTrail().newest(limit).stream().map(r -> new AuditEntry(Instant.ofEpochMilli(r.atMillis()), r.user(),
                r.tokenId(), r.action(), r.target(), r.status(), r.outcome())).toList();
    }
}
