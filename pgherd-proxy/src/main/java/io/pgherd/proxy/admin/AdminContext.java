package io.pgherd.proxy.admin;

import java.util.List;

import io.pgherd.proxy.metrics.MetricsSource;
import io.pgherd.proxy.route.StatementRouter;
import io.pgherd.proxy.session.ClientHandle;

/**
 * What the admin console reads and does to the proxy, and all it sees of it: what the metrics
 * endpoint reads, and the clients, the routers and the commands that change the proxy. The proxy
 * implements this, so that this package needs nothing of the proxy's own. Thread-safe.
 */
public interface AdminContext extends MetricsSource {
    /** The client registered under {@code processId}, or null. */
    ClientHandle client(int processId);

    /** Every client connected now. */
    List<ClientHandle> clients();

    /** The router for {@code database}, bound to its latest function catalog. */
    StatementRouter router(String database);

    /** Whether server connections are held back (PAUSE). */
    boolean paused();

    /** Stops handing out server connections until {@link #resume()}. */
    void pause();

    /** Lets waiting sessions go on. */
    void resume();

    /**
     * Reads the configuration file again and swaps it in when all of it is valid.
     *
     * @return a sentence saying what changed
     * @throws io.pgherd.common.config.ConfigException listing every problem; the old configuration stays
     */
    String reload();
}
