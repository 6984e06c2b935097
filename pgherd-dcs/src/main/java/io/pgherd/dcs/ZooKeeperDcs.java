package io.pgherd.dcs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * {@link Dcs} on ZooKeeper through Apache Curator. A key is a znode whose path is the key. The
 * parents of a key are container znodes with no data at all (not even an empty value), which is
 * how they are told apart from keys (ZooKeeper does not show clients which nodes are containers);
 * ZooKeeper removes them once empty.
 *
 * <p>Conditions: create-if-absent is a plain create ({@code NodeExists} means false);
 * compare-and-set and compare-and-delete read the node, check its {@code mzxid} against the
 * expected revision, then write with the node's {@code version} as ZooKeeper's own guard, so a
 * write between the read and the write fails the call. Each {@link Session} is a ZooKeeper
 * session of its own ({@link ZooKeeperSession}); its TTL is the negotiated session timeout.
 * Watches are Curator caches (persistent recursive watches). The fenced writes are
 * {@link ZooKeeperFencedWrites}.
 *
 * <p>Thread-safe. An operation waits for a connection at most the operation timeout, and retries
 * a lost connection until that timeout has elapsed, so it ends within about twice the timeout.
 */
public final class ZooKeeperDcs implements Dcs {

    /** Writes that race with other writers (put, putEphemeral) try this often. */
    static final int MAX_WRITE_ATTEMPTS = 8;

    private final String store;
    private final String connectString;
    private final Duration timeout;
    private final CuratorFramework client;
    private final ExecutorService events;
    private final Set<ZooKeeperSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<ZooKeeperWatch> watches = ConcurrentHashMap.newKeySet();
    private final ZooKeeperFencedWrites fenced;

    private ZooKeeperDcs(String connectString, Duration timeout) {
        this.store = "zookeeper " + connectString;
        this.connectString = connectString;
        this.timeout = timeout;
        // This client holds no ephemeral node, so a short session costs nothing and lets a dead
        // server be noticed within the operation timeout.
        this.client = newClient(connectString, timeout.multipliedBy(3).dividedBy(2), timeout);
        this.events = EventThread.start("pgherd-dcs-zookeeper-events");
        this.fenced = new ZooKeeperFencedWrites(this, client);
        client.start();
    }

    /**
     * Connects to ZooKeeper (lazily: an unreachable ZooKeeper shows in the first operation).
     *
     * @param connectString    {@code host:port[,host:port...]}
     * @param operationTimeout how long one operation may wait for a connection
     */
    public static ZooKeeperDcs connect(String connectString, Duration operationTimeout) {
        if (operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operation timeout must be positive (got " + operationTimeout + ")");
        }
        return new ZooKeeperDcs(connectString, operationTimeout);
    }

    static CuratorFramework newClient(String connectString, Duration sessionTimeout, Duration connectionTimeout) {
        int connectionMillis = Math.toIntExact(connectionTimeout.toMillis());
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(Math.max(1000, sessionTimeout.toMillis())))
                .connectionTimeoutMs(connectionMillis)
                .retryPolicy(new RetryUntilElapsed(connectionMillis, 100))
                .build();
    }

    @Override
    public Optional<Entry> get(String key) {
        Keys.requireKey(key);
        return call("get", key, () -> read(client, key));
    }

    @Override
    public List<Entry> list(String prefix) {
        Keys.requirePrefix(prefix);
        return call("list", prefix, () -> {
            List<Entry> entries = new ArrayList<>();
            collect(Keys.prefixNode(prefix), entries);
            entries.sort(Comparator.comparing(Entry::key));
            return entries;
        });
    }

    private void collect(String node, List<Entry> into) throws Exception {
        List<String> children;
        try {
            children = client.getChildren().forPath(node);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        for (String child : children) {
            String path = node.equals("/") ? "/" + child : node + "/" + child;
            if (path.equals("/zookeeper")) {
                continue;
            }
            read(client, path).ifPresent(into::add);
            collect(path, into);
        }
    }

    @Override
    public boolean createIfAbsent(String key, String value) {
        Keys.requireKey(key);
        return call("createIfAbsent", key, () -> {
            try {
                create(client, key, value, CreateMode.PERSISTENT, new Stat());
                return true;
            } catch (KeeperException.NodeExistsException e) {
                return false;
            }
        });
    }

    @Override
    public Optional<Entry> createEphemeral(String key, String value, Session session) {
        Keys.requireKey(key);
        ZooKeeperSession owner = alive("createEphemeral", key, session);
        return call("createEphemeral", key, () -> {
            Stat stat = new Stat();
            try {
                create(owner.client(), key, value, CreateMode.EPHEMERAL, stat);
            } catch (KeeperException.NodeExistsException e) {
                // A retried request may find the node it created itself.
                return readNode(client, key).filter(node -> node.owner() == owner.sessionId()).map(Node::entry);
            }
            owner.requireOwned("createEphemeral", key, stat);
            return Optional.of(entry(key, value, stat));
        });
    }

    @Override
    public Entry putEphemeral(String key, String value, Session session) {
        Keys.requireKey(key);
        ZooKeeperSession owner = alive("putEphemeral", key, session);
        return call("putEphemeral", key, () -> {
            CuratorFramework sessionClient = owner.client();
            for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
                Stat stat = new Stat();
                try {
                    create(sessionClient, key, value, CreateMode.EPHEMERAL, stat);
                    owner.requireOwned("putEphemeral", key, stat);
                    return entry(key, value, stat);
                } catch (KeeperException.NodeExistsException exists) {
                    Stat current = new Stat();
                    try {
                        sessionClient.getData().storingStatIn(current).forPath(key);
                        if (current.getEphemeralOwner() == owner.sessionId()) {
                            Stat written = sessionClient.setData().withVersion(current.getVersion()).forPath(key, bytes(value));
                            return entry(key, value, written);
                        }
                        // Another session's node, or a persistent one: replace it in one transaction.
                        sessionClient.transaction().forOperations(
                                sessionClient.transactionOp().delete().withVersion(current.getVersion()).forPath(key),
                                sessionClient.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(key, bytes(value)));
                        Optional<Node> replaced = readNode(sessionClient, key);
                        if (replaced.isPresent() && replaced.get().owner() == owner.sessionId()) {
                            return replaced.get().entry();
                        }
                    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException
                             | KeeperException.NodeExistsException raced) {
                        // Someone else wrote or deleted it in between: try again.
                    }
                }
            }
            throw new DcsException(store, "putEphemeral", key,
                    "key changed under every one of " + MAX_WRITE_ATTEMPTS + " attempts to write it", null);
        });
    }

    @Override
    public void put(String key, String value) {
        Keys.requireKey(key);
        call("put", key, () -> {
            for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
                try {
                    client.setData().forPath(key, bytes(value));
                    return null;
                } catch (KeeperException.NoNodeException absent) {
                    try {
                        create(client, key, value, CreateMode.PERSISTENT, new Stat());
                        return null;
                    } catch (KeeperException.NodeExistsException raced) {
                        // Created in between: overwrite it on the next attempt.
                    }
                }
            }
            throw new DcsException(store, "put", key,
                    "key changed under every one of " + MAX_WRITE_ATTEMPTS + " attempts to write it", null);
        });
    }

    @Override
    public boolean compareAndSet(String key, long expectedModRevision, String value) {
        Keys.requireKey(key);
        return call("compareAndSet", key, () -> {
            Stat stat = new Stat();
            try {
                client.getData().storingStatIn(stat).forPath(key);
                if (stat.getMzxid() != expectedModRevision) {
                    return false;
                }
                client.setData().withVersion(stat.getVersion()).forPath(key, bytes(value));
                return true;
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                return false;
            }
        });
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        Keys.requireKey(key);
        return call("compareAndDelete", key, () -> {
            Stat stat = new Stat();
            try {
                client.getData().storingStatIn(stat).forPath(key);
                if (stat.getMzxid() != expectedModRevision) {
                    return false;
                }
                client.delete().withVersion(stat.getVersion()).forPath(key);
                return true;
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                return false;
            }
        });
    }

    @Override
    public boolean delete(String key) {
        Keys.requireKey(key);
        return call("delete", key, () -> {
            try {
                client.delete().forPath(key);
                return true;
            } catch (KeeperException.NoNodeException e) {
                return false;
            }
        });
    }

    @Override
    public Optional<Fence> acquire(String key, String value, Session session, String epochKey, String epochValue) {
        Keys.requireKey(key);
        Keys.requireKey(epochKey);
        ZooKeeperSession owner = alive("acquire", key, session);
        return fenced.acquire(key, value, owner, epochKey, epochValue);
    }

    @Override
    public boolean compareAndSet(String key, long expectedModRevision, String value, Fence fence) {
        return fenced.compareAndSet(key, expectedModRevision, value, fence);
    }

    @Override
    public boolean createIfAbsent(String key, String value, Fence fence) {
        return fenced.createIfAbsent(key, value, fence);
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision, Fence fence) {
        return fenced.compareAndDelete(key, expectedModRevision, fence);
    }

    /** Creates the missing parents of {@code key} as containers, as a transaction cannot. */
    static void ensureParents(CuratorFramework client, String key) throws Exception {
        for (int slash = key.indexOf('/', 1); slash > 0; slash = key.indexOf('/', slash + 1)) {
            try {
                client.create().withMode(CreateMode.CONTAINER).forPath(key.substring(0, slash), null);
            } catch (KeeperException.NodeExistsException exists) {
                // A parent already: a container, or a key that also has children.
            }
        }
    }

    @Override
    public Session openSession(Duration ttl) {
        Duration connectionTimeout = ttl.compareTo(timeout) < 0 ? ttl : timeout;
        CuratorFramework sessionClient = newClient(connectString, ttl, connectionTimeout);
        ZooKeeperSession session = call("openSession", "ttl " + ttl.toMillis() + " ms", () -> {
            try {
                // The server creates the session after this moment, so it lives at least its timeout from here.
                long opened = System.nanoTime();
                sessionClient.start();
                if (!sessionClient.blockUntilConnected(Math.toIntExact(timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                    throw new DcsException(store, "openSession", "ttl " + ttl.toMillis() + " ms",
                            "no connection within " + timeout.toMillis() + " ms", null);
                }
                return new ZooKeeperSession(this, sessionClient, events, opened);
            } catch (Exception | Error e) {
                sessionClient.close();
                throw e;
            }
        });
        sessions.add(session);
        session.start();
        return session;
    }

    @Override
    public Watch watch(String prefix, Consumer<WatchEvent> listener) {
        Keys.requirePrefix(prefix);
        ZooKeeperWatch watch = new ZooKeeperWatch(this, client, prefix, listener, events);
        watches.add(watch);
        try {
            if (!watch.start(timeout)) {
                watch.close();
                throw new DcsException(store, "watch", prefix, "cache not loaded within " + timeout.toMillis() + " ms", null);
            }
        } catch (InterruptedException e) {
            watch.close();
            Thread.currentThread().interrupt();
            throw new DcsException(store, "watch", prefix, "interrupted while loading", e);
        }
        return watch;
    }

    @Override
    public void close() {
        watches.forEach(ZooKeeperWatch::close);
        sessions.forEach(ZooKeeperSession::close);
        client.close();
        EventThread.stop(events);
    }

    @Override
    public String toString() {
        return store;
    }

    String store() {
        return store;
    }

    void forget(ZooKeeperSession session) {
        sessions.remove(session);
    }

    void forget(ZooKeeperWatch watch) {
        watches.remove(watch);
    }

    private ZooKeeperSession alive(String operation, String key, Session session) {
        if (!(session instanceof ZooKeeperSession zooKeeperSession) || !zooKeeperSession.belongsTo(this)) {
            throw new IllegalArgumentException(operation + " " + key + ": session " + session.id()
                    + " was not opened by " + store);
        }
        if (session.state() != Session.State.ALIVE) {
            throw new LostSessionException(store, operation, key, session);
        }
        return zooKeeperSession;
    }

    /**
     * Creates a node, first creating its missing parents as containers with no data. ZooKeeper may
     * remove an empty container between the two steps, hence the retries.
     */
    static void create(CuratorFramework client, String key, String value, CreateMode mode, Stat stat) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                client.create().storingStatIn(stat).withMode(mode).forPath(key, bytes(value));
                return;
            } catch (KeeperException.NoNodeException missingParent) {
                if (attempt == MAX_WRITE_ATTEMPTS) {
                    throw missingParent;
                }
                ensureParents(client, key);
            }
        }
    }

    /** A key and the id of the session that owns it (0 for a persistent key). */
    private record Node(Entry entry, long owner) {
    }

    private static Optional<Entry> read(CuratorFramework client, String path) throws Exception {
        return readNode(client, path).map(Node::entry);
    }

    /** Reads a node; a node without data is a parent of keys, not a key, and reads as absent. */
    private static Optional<Node> readNode(CuratorFramework client, String path) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
        if (data == null) {
            return Optional.empty();
        }
        return Optional.of(new Node(entry(path, new String(data, UTF_8), stat), stat.getEphemeralOwner()));
    }

    static Entry entry(String key, String value, Stat stat) {
        return new Entry(key, value, stat.getCzxid(), stat.getMzxid(), stat.getEphemeralOwner() != 0);
    }

    static byte[] bytes(String value) {
        return value.getBytes(UTF_8);
    }

    @FunctionalInterface
    interface ZooKeeperCall<T> {
        T run() throws Exception;
    }

    /** Runs Curator calls; whatever ZooKeeper did not answer becomes a DcsException. */
    <T> T call(String operation, String key, ZooKeeperCall<T> call) {
        long start = System.nanoTime();
        try {
            return call.run();
        } catch (DcsException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DcsException(store, operation, key, "interrupted after " + elapsedMillis(start) + " ms", e);
        } catch (Exception e) {
            throw new DcsException(store, operation, key, "failed after " + elapsedMillis(start) + " ms: " + e.getMessage(), e);
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
