package io.pgherd.proxy.session;

import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.cluster.WriteGate;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.StatementRouter;
import io.pgherd.proxy.stats.ProxyStats;
import io.pgherd.proxy.topology.Backends;

/**
 * What a {@link ClientSession} uses of what all sessions of one proxy share, and all it sees of
 * it: the proxy implements this, so that this package needs nothing of the proxy's own.
 * Thread-safe; the methods that take an action must not block the session's event loop.
 */
public interface SessionContext {
    /** The configuration in effect now; a session reads it again for each decision, as RELOAD swaps it. */
    ProxyConfig config();

    /** The nodes, their health, WAL positions and catalogs. */
    Backends backends();

    /** Whether work may start on the primary now. */
    WriteGate writes();

    /** The epoch of the leader key held by the primary now (0: fixed nodes). */
    long leaderEpoch();

    /** The counters SHOW STATS and the metrics endpoint read. */
    ProxyStats stats();

    /** The names of the statements prepared on each server connection. */
    PreparedStatements statements();

    /** The router for {@code database}, bound to its latest function catalog. */
    StatementRouter router(String database);

    /** The pool of {@code node} for ({@code database}, {@code user}). */
    Pool pool(ProxyConfig.Node node, String database, String user);

    /** Whether PAUSE holds back handing out server connections. */
    boolean paused();

    /** Runs {@code action} now if not paused, else when resumed. */
    void whenResumed(Runnable action);

    /** Closes every server connection to {@code database}: a statement needs the database to itself. */
    void retireConnectionsTo(String database, String why);

    /** A server connection to the primary {@code node} broke, or one could not be opened. */
    void primaryFailed(String node, String reason);

    /** One server connection to the primary {@code node} was ended by the server (FATAL 57P01). */
    void primaryConnectionTerminated(String node, String reason);

    /** The client of {@code processId} is gone: cancel requests no longer find it. */
    void unregister(int processId);
}
