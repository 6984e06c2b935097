package io.pgherd.proxy.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-side names of protocol-level prepared statements, shared by every session of a proxy.
 * A client's own Parse always gets a fresh name ({@link #newName()}), so it really prepares on the
 * server and sees the server's answer. A statement re-prepared on a server that lacks it gets the
 * name shared by every client statement of the same text and the same {@link StatementShape}
 * ({@link #sharedName}): those behave alike on any server (PostgreSQL re-plans each in the current
 * session and compares the result with the same fixed row type), so sharing them cannot be seen.
 * Thread-safe.
 */
public final class PreparedStatements {
    private final Map<Key, String> shared = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();

    private record Key(String query, StatementShape shape) {
    }

    /** A server-side name never given before. */
    String newName() {
        return "pgherd_" + counter.incrementAndGet();
    }

    /** The server-side name shared by statements of {@code query} fixed to {@code shape}. */
    String sharedName(String query, StatementShape shape) {
        return shared.computeIfAbsent(new Key(query, shape), k -> newName());
    }

    /** How many distinct shared statements have been named. */
    public int size() {
        return shared.size();
    }
}
