package io.pgherd.dcs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Watch} on a ZooKeeper subtree, through a {@link CuratorCache} (a persistent recursive
 * watch plus a copy of the subtree). After a reconnection the cache reads the subtree again and
 * reports the differences, so changes in between are seen as their net effect; that is reported
 * as {@link WatchEvent.Reset}.
 */
final class ZooKeeperWatch implements Watch {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperWatch.class);

    private final ZooKeeperDcs dcs;
    private final CuratorFramework client;
    private final String prefix;
    private final Consumer<WatchEvent> listener;
    private final Executor events;
    private final CuratorCache cache;
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private volatile boolean closed;

    ZooKeeperWatch(ZooKeeperDcs dcs, CuratorFramework client, String prefix, Consumer<WatchEvent> listener, Executor events) {
        this.dcs = dcs;
        this.client = client;
        this.prefix = prefix;
        this.listener = listener;
        this.events = events;
        this.cache = CuratorCache.build(client, Keys.prefixNode(prefix));
    }

    /** Starts the cache and waits until it holds the subtree; returns false if that took longer than {@code timeout}. */
    boolean start(Duration timeout) throws InterruptedException {
        CountDownLatch loaded = new CountDownLatch(1);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(this::put)
                .forChanges((before, after) -> put(after))
                .forDeletes(this::delete)
                .forInitialized(loaded::countDown)
                .afterInitialized()
                .build());
        client.getConnectionStateListenable().addListener(connectionListener);
        cache.start();
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        client.getConnectionStateListenable().removeListener(connectionListener);
        cache.close();
        dcs.forget(this);
    }

    private void put(ChildData node) {
        if (isKey(node)) {
            deliver(new WatchEvent.Put(ZooKeeperDcs.entry(node.getPath(), new String(node.getData(), UTF_8), node.getStat())));
        }
    }

    private void delete(ChildData node) {
        if (isKey(node)) {
            deliver(new WatchEvent.Delete(node.getPath()));
        }
    }

    /** Parents of keys have no data at all; see {@link ZooKeeperDcs}. */
    private boolean isKey(ChildData node) {
        String path = node.getPath();
        return node.getData() != null && node.getStat() != null && path.startsWith(prefix) && !path.startsWith("/zookeeper/");
    }

    private void connectionChanged(CuratorFramework ignored, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED || state == ConnectionState.LOST) {
            deliver(new WatchEvent.Reset("connection to ZooKeeper " + state.name().toLowerCase() + "; changes in between arrive as their net effect"));
        }
    }

    private void deliver(WatchEvent event) {
        if (closed) {
            return;
        }
        try {
            events.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.error("{}: watch {}: listener failed on {}", dcs.store(), prefix, event, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("{}: watch {}: event dropped, the Dcs is closed", dcs.store(), prefix);
        }
    }
}
