package io.pgherd.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import io.pgherd.proxy.admin.AdminContext;
import io.pgherd.proxy.auth.Authenticator;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.PoolKey;
import io.pgherd.proxy.cluster.FollowedProxy;
import io.pgherd.proxy.cluster.PrimaryWatcher;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.frontend.FrontendContext;
import io.pgherd.proxy.metrics.MetricsSource;
import io.pgherd.proxy.session.ClientHandle;
import io.pgherd.proxy.session.PreparedStatements;
import io.pgherd.proxy.session.SessionContext;
import io.pgherd.proxy.stats.ProxyStats;

/**
 * What every session of one proxy shares: the current configuration (swapped atomically on
 * RELOAD), the pools, the statement names, the registry of clients (for cancel requests, SHOW
 * CLIENTS and KILL), the counters and the paused flag. Thread-safe.
 *
 * <p>No other package sees this class: each sees the proxy through an interface of its own that
 * names what it uses ({@link SessionContext}, {@link AdminContext}, {@link MetricsSource},
 * {@link FrontendContext}, {@link FollowedProxy}), so that the sub-packages never depend on this
 * one, which wires them together ({@code ProxyPackagesTest}).
 */
public final class Proxy implements FrontendContext, FollowedProxy {
    private final AtomicReference<ProxyConfig> config;
    private final AtomicReference<Authenticator> authenticator;
    private final ConcurrentHashMap<PoolKey, Pool> pools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, ClientHandle> clients = new ConcurrentHashMap<>();
    private final PreparedStatements statements = new PreparedStatements();
    private final ProxyStats stats = new ProxyStats();
    private final ConcurrentLinkedQueue<Runnable> onResume = new ConcurrentLinkedQueue<>();
    private volatile boolean paused;
    private final io.pgherd.proxy.topology.Backends backends;
    private final ConcurrentHashMap<String, Boolean> learnedWrites = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, io.pgherd.proxy.route.StatementRouter> routers = new ConcurrentHashMap<>();
    /** The nodes as the HA cluster shows them (a DCS-following proxy), which win over the file's on RELOAD; null: none. */
    private volatile List<ProxyConfig.Node> clusterNodes;
    /** The epoch of the leader key the primary holds (a DCS-following proxy), else 0. */
    private volatile long leaderEpoch;
    private final io.pgherd.proxy.cluster.WriteGate writes;
    private volatile PrimaryWatcher watcher;

    public Proxy(ProxyConfig config, Authenticator authenticator) {
        this.config = new AtomicReference<>(config);
        this.authenticator = new AtomicReference<>(authenticator);
        this.backends = new io.pgherd.proxy.topology.Backends(this::config, this::nodeDown);
        this.writes = new io.pgherd.proxy.cluster.WriteGate(config.get(ProxyConfig.CLUSTER_DCS) == null, () -> {
            PrimaryWatcher w = watcher;
            if (w != null) {
                w.firstWrite();
            }
        });
    }

    /** Whether work may start on the primary now; closed while a followed cluster has no confirmed writable leader. */
    @Override
    public io.pgherd.proxy.cluster.WriteGate writes() {
        return writes;
    }

    @Override
    public void watch(PrimaryWatcher primaryWatcher) {
        this.watcher = primaryWatcher;
    }

    /** A session found the primary {@code node} failing; a followed cluster holds writes until it is confirmed again. */
    @Override
    public void primaryFailed(String node, String reason) {
        PrimaryWatcher w = watcher;
        if (w != null) {
            w.primaryFailed(node, reason);
        }
    }

    /** See {@link PrimaryWatcher#primaryConnectionTerminated}. */
    @Override
    public void primaryConnectionTerminated(String node, String reason) {
        PrimaryWatcher w = watcher;
        if (w != null) {
            w.primaryConnectionTerminated(node, reason);
        }
    }

    /** The epoch of the leader key held by the primary now (0: fixed nodes). */
    @Override
    public long leaderEpoch() {
        return leaderEpoch;
    }

    /** The nodes, their health, WAL positions and catalogs. */
    @Override
    public io.pgherd.proxy.topology.Backends backends() {
        return backends;
    }

    /** The router for {@code database}, bound to its latest function catalog. */
    @Override
    public io.pgherd.proxy.route.StatementRouter router(String database) {
        io.pgherd.proxy.route.FunctionCatalog catalog = backends.catalog(database);
        io.pgherd.proxy.route.StatementRouter router = routers.get(database);
        if (router == null || router.catalog() != catalog) {
            router = new io.pgherd.proxy.route.StatementRouter(catalog, learnedWrites);
            routers.put(database, router);
        }
        return router;
    }

    /** A node was found down: its idle server connections are closed rather than handed out. */
    private void nodeDown(String node) {
        for (Pool pool : pools.values()) {
            if (pool.key().node().equals(node)) {
                pool.closeIdle("node " + node + " is down");
            }
        }
    }

    @Override
    public ProxyConfig config() {
        return config.get();
    }

    @Override
    public Authenticator authenticator() {
        return authenticator.get();
    }

    /** Swaps in a validated configuration and its authenticator. */
    public void reconfigure(ProxyConfig next, Authenticator nextAuthenticator) {
        config.set(next);
        Authenticator old = authenticator.getAndSet(nextAuthenticator);
        old.close();
    }

    /**
     * Reads the configuration file again and, when all of it is valid, swaps it in. Keys that cannot
     * change without a restart keep their old effect until then, and the answer says which.
     *
     * @return a sentence saying what changed
     * @throws io.pgherd.common.config.ConfigException listing every problem; the old configuration stays
     */
    @Override
    public synchronized String reload() {
        ProxyConfig current = config();
        ProxyConfig next = ProxyConfig.load(java.nio.file.Path.of(current.source()));
        List<ProxyConfig.Node> followed = clusterNodes;
        if (followed != null) {
            next = next.withNodes(followed);
        }
        Authenticator nextAuthenticator = new Authenticator(next);
        java.util.List<io.pgherd.common.config.Key<?>> changed = current.values().changedIn(next.values());
        java.util.List<String> pendingRestart = changed.stream().filter(k -> !k.reloadable())
                .map(io.pgherd.common.config.Key::path).toList();
        reconfigure(next, nextAuthenticator);
        backends.reconfigure();
        String summary = changed.isEmpty() ? "no setting changed" : "changed: " + changed.stream()
                .map(io.pgherd.common.config.Key::path).collect(java.util.stream.Collectors.joining(", "));
        return pendingRestart.isEmpty() ? summary : summary + "; needs a restart to take effect: "
                + String.join(", ", pendingRestart);
    }

    /**
     * Takes the nodes as the HA cluster shows them now (the leader as the primary): swaps them into
     * the configuration, with an authenticator whose auth_query goes to the new primary, and has the
     * topology follow. Sessions pick the new primary for their next transaction.
     */
    @Override
    public synchronized void followNodes(List<ProxyConfig.Node> nodes, long epoch) {
        leaderEpoch = epoch;
        clusterNodes = List.copyOf(nodes);
        ProxyConfig next = config().withNodes(nodes);
        reconfigure(next, new Authenticator(next));
        backends.reconfigure();
    }

    @Override
    public ProxyStats stats() {
        return stats;
    }

    @Override
    public PreparedStatements statements() {
        return statements;
    }

    /** The pool of the primary for ({@code database}, {@code user}). */
    @Override
    public Pool primaryPool(String database, String user) {
        return pool(config().primary(), database, user);
    }

    /** The pool of {@code node} for ({@code database}, {@code user}). */
    @Override
    public Pool pool(ProxyConfig.Node node, String database, String user) {
        long epoch = node.role() == ProxyConfig.Role.PRIMARY ? leaderEpoch : 0;
        Pool pool = pools.get(new PoolKey(node.name(), database, user));
        if (pool != null && pool.node().equals(node) && pool.epoch() == epoch) {
            return pool;
        }
        return pools.compute(new PoolKey(node.name(), database, user), (key, old) -> {
            if (old != null && old.node().equals(node) && old.epoch() == epoch) {
                return old;
            }
            if (old != null) {
                old.closeAll(old.node().equals(node) ? "node " + node.name() + " holds the leader key under a new epoch"
                        : "node " + node.name() + " changed its address or role");
            }
            return new Pool(key, node, poolSettings(), epoch);
        });
    }

    /**
     * Closes every pool's server connections to {@code database}, idle ones now and busy ones when they
     * come back: a statement through the proxy needs it to itself (DROP DATABASE, CREATE DATABASE …
     * TEMPLATE it, ALTER DATABASE … RENAME), which PostgreSQL refuses while other sessions are connected.
     */
    @Override
    public void retireConnectionsTo(String database, String why) {
        for (Pool pool : pools.values()) {
            if (pool.key().database().equals(database)) {
                pool.retire(why);
            }
        }
    }

    @Override
    public Collection<Pool> pools() {
        return pools.values();
    }

    /** Registers a client under a fresh random process id; returns that id. */
    @Override
    public int register(java.util.function.IntFunction<ClientHandle> client) {
        while (true) {
            int pid = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            ClientHandle handle = client.apply(pid);
            if (clients.putIfAbsent(pid, handle) == null) {
                return pid;
            }
        }
    }

    /**
     * Registers a client under {@code processId} (its server's own, in session pooling), unless another
     * client has it (a server of another node with the same pid): then returns false and registers nothing.
     */
    @Override
    public boolean registerAs(int processId, ClientHandle client) {
        return clients.putIfAbsent(processId, client) == null;
    }

    @Override
    public void unregister(int processId) {
        clients.remove(processId);
    }

    @Override
    public ClientHandle client(int processId) {
        return clients.get(processId);
    }

    @Override
    public List<ClientHandle> clients() {
        return new ArrayList<>(clients.values());
    }

    @Override
    public int clientCount() {
        return clients.size();
    }

    @Override
    public boolean paused() {
        return paused;
    }

    /** Stops handing out server connections; sessions that need one wait until {@link #resume()}. */
    @Override
    public void pause() {
        paused = true;
    }

    /** Lets waiting sessions go on. */
    @Override
    public void resume() {
        paused = false;
        Runnable r;
        while ((r = onResume.poll()) != null) {
            r.run();
        }
    }

    /** Runs {@code action} now if not paused, else when resumed. */
    @Override
    public void whenResumed(Runnable action) {
        if (!paused) {
            action.run();
            return;
        }
        onResume.add(action);
        if (!paused) {
            resume();
        }
    }

    private Pool.Settings poolSettings() {
        return new Pool.Settings() {
            @Override
            public int poolSize() {
                return config().get(ProxyConfig.POOL_SIZE);
            }

            @Override
            public int minPoolSize() {
                return config().get(ProxyConfig.MIN_POOL_SIZE);
            }

            @Override
            public long queryWaitTimeoutMillis() {
                return config().get(ProxyConfig.QUERY_WAIT_TIMEOUT).toMillis();
            }

            @Override
            public long serverConnectTimeoutMillis() {
                return config().get(ProxyConfig.SERVER_CONNECT_TIMEOUT).toMillis();
            }

            @Override
            public long serverIdleTimeoutNanos() {
                return nanos(config().get(ProxyConfig.SERVER_IDLE_TIMEOUT));
            }

            @Override
            public long serverLifetimeNanos() {
                return nanos(config().get(ProxyConfig.SERVER_LIFETIME));
            }
        };
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }
}
