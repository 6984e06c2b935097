package io.pgherd.proxy.topology;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.FunctionCatalog;

/**
 * Each database's function volatility, read from the primary's pg_proc on first use, again every
 * {@code proxy.routing.catalog_refresh}, and soon after the proxy forwards DDL. Until a database's
 * catalog is read, every function call is unknown and routed to the primary (fail closed).
 */
final class Catalogs {
    private static final Logger log = LoggerFactory.getLogger(Catalogs.class);
    private static final FunctionCatalog EMPTY = FunctionCatalog.of(java.util.Map.of());

    private record Entry(FunctionCatalog catalog, long loadedAt, boolean loading) {
    }

    private final ConcurrentHashMap<String, Entry> byDatabase = new ConcurrentHashMap<>();
    /** Databases whose schema changed while their catalog was being read: read again when that ends. */
    private final java.util.Set<String> changedWhileLoading = ConcurrentHashMap.newKeySet();
    private final Topology topology;
    private final Supplier<ProxyConfig> config;
    private final Supplier<NodeConnector> connector;
    private final Executor executor;

    Catalogs(Topology topology, Supplier<ProxyConfig> config, Supplier<NodeConnector> connector, Executor executor) {
        this.topology = topology;
        this.config = config;
        this.connector = connector;
        this.executor = executor;
    }

    /** The catalog of {@code database} as last read (empty before the first read, which this starts). */
    FunctionCatalog catalog(String database) {
        Entry e = byDatabase.get(database);
        long refresh = config.get().get(ProxyConfig.CATALOG_REFRESH).toNanos();
        if (e == null || (!e.loading() && System.nanoTime() - e.loadedAt() > refresh)) {
            load(database);
        }
        return e == null ? EMPTY : e.catalog();
    }

    /** The schema changed (DDL went through): read the catalog again. */
    void invalidate(String database) {
        changedWhileLoading.add(database);
        load(database);
    }

    private void load(String database) {
        Entry before = byDatabase.get(database);
        Entry marker = new Entry(before == null ? EMPTY : before.catalog(), before == null ? 0 : before.loadedAt(), true);
        boolean start = before == null ? byDatabase.putIfAbsent(database, marker) == null
                : !before.loading() && byDatabase.replace(database, before, marker);
        if (!start) {
            return;
        }
        changedWhileLoading.remove(database);
        executor.execute(() -> {
            FunctionCatalog loaded = null;
            String problem = "no node is up";
            // The primary first; while it is down (a failover) a replica's pg_proc, a copy of it, will do.
            List<NodeState> sources = new ArrayList<>(topology.nodes());
            sources.sort(java.util.Comparator.comparing(n -> !n.isPrimary()));
            for (NodeState source : sources) {
                if (!source.isPrimary() && !source.isUp()) {
                    continue;
                }
                try (Connection c = connector.get().connect(source.node(), database, "catalog")) {
                    loaded = FunctionCatalog.load(c);
                    log.debug("read {} function volatilities of database {} from {}", loaded.size(), database, source.name());
                    break;
                } catch (SQLException | RuntimeException e) {
                    problem = source.name() + ": " + e.getMessage();
                }
            }
            if (loaded == null) {
                log.warn("could not read the function catalog of database {}: {}", database, problem);
                // Keep what we had; try again after the refresh interval.
                byDatabase.put(database, new Entry(marker.catalog(), System.nanoTime(), false));
                return;
            }
            byDatabase.put(database, new Entry(loaded, System.nanoTime(), false));
            if (changedWhileLoading.remove(database)) {
                load(database);
            }
        });
    }
}
