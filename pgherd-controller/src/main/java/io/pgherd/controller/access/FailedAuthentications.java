package io.pgherd.controller.access;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The failed authentications of each client address in the last {@link AuthDelays#WINDOW}, and how many there were
 * in all (for metrics). Memory stays bounded: at most {@link #MAX_PER_CLIENT} times per client (more would not lengthen
 * the delay, which is capped) and {@link #MAX_CLIENTS} clients (beyond that, clients with no failure in the window are
 * forgotten first, then those remembered longest). Thread-safe.
 */
public final class FailedAuthentications {
    static final int MAX_PER_CLIENT = 64;
    static final int MAX_CLIENTS = 10_000;

    private final Map<String, Deque<Instant>> byClient = new LinkedHashMap<>();
    private final AtomicLong total = new AtomicLong();

    /** Records a failure of {@code client} at {@code now}; the delay its answer waits ({@link AuthDelays}). */
    public synchronized Duration fail(String client, Instant now) {
        total.incrementAndGet();
        String key = client == null ? "-" : client;
        Deque<Instant> times = byClient.computeIfAbsent(key, k -> new ArrayDeque<>());
        Instant since = now.minus(AuthDelays.WINDOW);
        while (!times.isEmpty() && !times.peekFirst().isAfter(since)) {
            times.pollFirst();
        }
        times.addLast(now);
        while (times.size() > MAX_PER_CLIENT) {
            times.pollFirst();
        }
        if (byClient.size() > MAX_CLIENTS) {
            forget(since, key);
        }
        return AuthDelays.delay(times, now);
    }

    /** How many authentications failed since this was made. */
    public long count() {
        return total.get();
    }

    /** How many clients are remembered (for tests of the bound). */
    synchronized int clients() {
        return byClient.size();
    }

    private void forget(Instant since, String keep) {
        byClient.values().removeIf(times -> times.isEmpty() || !times.peekLast().isAfter(since));
        Iterator<String> oldest = byClient.keySet().iterator();
        while (byClient.size() > MAX_CLIENTS && oldest.hasNext()) {
            if (!oldest.next().equals(keep)) {
                oldest.remove();
            }
        }
    }
}
