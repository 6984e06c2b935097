package io.pgherd.proxy.session;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-side names of protocol-level prepared statements, shared by every session of a proxy: the
 * same query text with the same parameter types always gets the same name ({@code pgherd_<n>}), so
 * a statement prepared on a server by one client serves every client that prepares the same text
 * there. Thread-safe.
 */
public final class PreparedStatements {
    private final Map<Key, String> names = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();

    private record Key(String query, List<Integer> parameterTypes) {
    }

    /** The server-side name for {@code query} with {@code parameterTypes}. */
    public String nameFor(String query, List<Integer> parameterTypes) {
        return names.computeIfAbsent(new Key(query, List.copyOf(parameterTypes)),
                k -> "pgherd_" + counter.incrementAndGet());
    }

    /** How many distinct statements have been named. */
    public int size() {
        return names.size();
    }
}
