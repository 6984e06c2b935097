package io.pgherd.proxy.metrics;

import java.util.Collection;

import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.stats.ProxyStats;
import io.pgherd.proxy.topology.Backends;

/**
 * What the metrics endpoint reads of the proxy, and all it sees of it: the proxy implements this,
 * so that this package needs nothing of the proxy's own. Thread-safe; every method only reads.
 */
public interface MetricsSource {
    /** The configuration in effect now. */
    ProxyConfig config();

    /** The counters since the proxy started. */
    ProxyStats stats();

    /** The client connections open now. */
    int clientCount();

    /** Every pool, one for each (node, database, user) that was used. */
    Collection<Pool> pools();

    /** The nodes, their health, WAL positions and catalogs. */
    Backends backends();
}
