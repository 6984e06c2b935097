package io.pgherd.controller.access;

import java.util.List;

/** The audit log of mutating API requests, kept in the DCS with a bounded length (the oldest go first). */
public interface AuditLog {

    void append(AuditEntry entry);

    /** The newest {@code limit} entries, newest last. */
    List<AuditEntry> recent(int limit);
}
