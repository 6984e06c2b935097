package io.pgherd.proxy.topology;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.FunctionCatalog;

/**
 * The proxy's view of its nodes and the background work that keeps it current: health checks on a
 * schedule, primary WAL positions on request, function catalogs per database. Everything blocking
 * runs on its own threads ({@code pgherd-health}, {@code pgherd-wal}), never on an event loop.
 * With a single node and no health user nothing runs: every statement goes to the primary anyway.
 */
public final class Backends implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Backends.class);

    private final Supplier<ProxyConfig> config;
    private final Topology topology;
    private final ScheduledExecutorService health;
    private final ExecutorService walThread;
    private volatile NodeConnector connector;
    private volatile HealthChecker checker;
    private volatile PositionSampler sampler;
    private final Catalogs catalogs;
    private final Consumer<String> onNodeDown;
    private ScheduledFuture<?> checks;
    private long scheduledInterval;

    /** @param onNodeDown told the name of a node found down (its idle connections are worthless) */
    public Backends(Supplier<ProxyConfig> config, Consumer<String> onNodeDown) {
        this.config = config;
        this.onNodeDown = onNodeDown;
        this.topology = new Topology(config.get());
        this.health = Executors.newScheduledThreadPool(2, daemon("pgherd-health"));
        this.walThread = Executors.newSingleThreadExecutor(daemon("pgherd-wal"));
        this.connector = new NodeConnector(config.get());
        this.checker = new HealthChecker(topology, () -> topology.nodes().stream().filter(n -> !n.isUp())
                .forEach(n -> onNodeDown.accept(n.name())));
        this.sampler = new PositionSampler(topology, () -> connector);
        this.catalogs = new Catalogs(topology, config, () -> connector, health);
        if (connector.configured()) {
            walThread.execute(sampler);
        }
        reschedule();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public Topology topology() {
        return topology;
    }

    /** Whether reads may ever leave the primary: more than one node and someone to check them. */
    public boolean splitting() {
        return topology.hasReplicas() && connector.configured() && config.get().get(ProxyConfig.READ_WRITE_SPLIT);
    }

    /** A session saw {@code node} fail: no reads go there until a health check passes. */
    public void nodeFailed(NodeState node, String reason) {
        boolean was = node.isUp();
        node.markDown(reason);
        if (was) {
            log.warn("node {} taken out of rotation: {}", node.node(), reason);
            onNodeDown.accept(node.name());
        }
    }

    /** Asks for a primary WAL position read after now; {@code then} runs on another thread (-1: unknown). */
    public void primaryPosition(LongConsumer then) {
        if (!connector.configured()) {
            then.accept(-1);
            return;
        }
        sampler.request(then);
    }

    /**
     * Whether {@code node} accepts writes now: a fresh connection finds it out of recovery. Blocks up
     * to the health timeout; call it off the event loops.
     *
     * @return null when the proxy has no health user to ask with
     */
    public Boolean acceptsWrites(ProxyConfig.Node node) {
        NodeConnector c = connector;
        if (!c.configured()) {
            return null;
        }
        try (java.sql.Connection conn = c.connect(node, "postgres", "primary check");
             java.sql.Statement st = conn.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
            return rs.next() && !rs.getBoolean(1);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /** The function catalog of {@code database} (possibly empty until first read). */
    public FunctionCatalog catalog(String database) {
        return connector.configured() ? catalogs.catalog(database) : FunctionCatalog.of(java.util.Map.of());
    }

    /** DDL went through to {@code database}: its catalog is read again. */
    public void schemaChanged(String database) {
        if (connector.configured()) {
            catalogs.invalidate(database);
        }
    }

    /** Applies a reloaded configuration (nodes, intervals, health user). */
    public synchronized void reconfigure() {
        topology.update(config.get());
        connector = new NodeConnector(config.get());
        reschedule();
    }

    private synchronized void reschedule() {
        if (!connector.configured()) {
            if (checks != null) {
                checks.cancel(false);
                checks = null;
            }
            return;
        }
        long interval = config.get().get(ProxyConfig.HEALTH_INTERVAL).toMillis();
        if (checks != null && interval == scheduledInterval) {
            return;
        }
        if (checks != null) {
            checks.cancel(false);
        }
        scheduledInterval = interval;
        checks = health.scheduleWithFixedDelay(() -> {
            try {
                checker.checkAll(connector);
            } catch (RuntimeException e) {
                log.warn("health checks failed: {}", e.toString());
            }
        }, 0, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        sampler.close();
        health.shutdownNow();
        walThread.shutdownNow();
        try {
            health.awaitTermination(5, TimeUnit.SECONDS);
            walThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checker.close();
    }
}
