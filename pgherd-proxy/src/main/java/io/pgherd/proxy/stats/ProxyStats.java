package io.pgherd.proxy.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one proxy, for {@code SHOW STATS} and the metrics endpoint. Thread-safe and cheap on
 * the forwarding path (striped adders, no locks).
 */
public final class ProxyStats {
    public final LongAdder clientsAccepted = new LongAdder();
    public final LongAdder queries = new LongAdder();
    public final LongAdder transactions = new LongAdder();
    public final LongAdder bytesFromClients = new LongAdder();
    public final LongAdder bytesToClients = new LongAdder();
    public final LongAdder serverStateRestores = new LongAdder();
    public final LongAdder serverReplays = new LongAdder();
    public final LongAdder causalWaits = new LongAdder();
    public final LongAdder retriesOnPrimary = new LongAdder();
    /** Units of work held because a followed cluster had no confirmed writable primary. */
    public final LongAdder writeHolds = new LongAdder();
    private final LongAdder[][] routed = new LongAdder[2][io.pgherd.proxy.route.Route.Reason.values().length];
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    {
        for (LongAdder[] row : routed) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
    }

    /** Counts one routing decision (a statement or batch sent somewhere) by target and reason. */
    public void routed(io.pgherd.proxy.route.Route.Target target, io.pgherd.proxy.route.Route.Reason reason) {
        routed[target.ordinal()][reason.ordinal()].increment();
    }

    /** How many decisions sent work to {@code target} for {@code reason}. */
    public long routedCount(io.pgherd.proxy.route.Route.Target target, io.pgherd.proxy.route.Route.Reason reason) {
        return routed[target.ordinal()][reason.ordinal()].sum();
    }
    private final ConcurrentHashMap<String, LongAdder> clientCloses = new ConcurrentHashMap<>();

    /** Counts an error sent to a client, by SQLSTATE. */
    public void error(String sqlState) {
        errors.computeIfAbsent(sqlState == null ? "unknown" : sqlState, k -> new LongAdder()).increment();
    }

    /** Counts a closed client connection, by reason (a short fixed phrase, not free text). */
    public void clientClosed(String reason) {
        clientCloses.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public Map<String, Long> errorsBySqlState() {
        return snapshot(errors);
    }

    public Map<String, Long> clientClosesByReason() {
        return snapshot(clientCloses);
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> counters) {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
