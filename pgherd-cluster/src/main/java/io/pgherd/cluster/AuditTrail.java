package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The record {@code /pgherd-audit/<cluster>} ({@link io.pgherd.dcs.ClusterKeys#auditLog()}): a JSON array of
 * {@link AuditRecord}, oldest first, appended to with compare-and-set by whichever controller answered the request
 * and kept to a bounded length, the oldest dropped first.
 *
 * @param entries the entries kept, oldest first
 */
public record AuditTrail(@JsonValue List<AuditRecord> entries) {
    public static final AuditTrail EMPTY = new AuditTrail(List.of());

    @JsonCreator
    public AuditTrail {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** This trail with {@code entry} appended, then the oldest dropped until at most {@code maxEntries} are left. */
    public AuditTrail append(AuditRecord entry, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("an audit log keeps at least 1 entry (got " + maxEntries + ")");
        }
        List<AuditRecord> next = new ArrayList<>(entries);
        next.add(entry);
        return new AuditTrail(next.subList(Math.max(0, next.size() - maxEntries), next.size()));
    }

    /** The newest {@code limit} entries, newest last; none for a limit below 1. */
    public List<AuditRecord> newest(int limit) {
        return limit < 1 ? List.of() : entries.subList(Math.max(0, entries.size() - limit), entries.size());
    }
}
