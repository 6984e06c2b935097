package io.pgherd.proxy.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.FailureText;
import io.pgherd.protocol.SqlState;
import io.pgherd.proxy.config.ProxyConfig;

/**
 * The server connections of one (node, database, user). A session borrows a connection for a
 * transaction (or its whole life in session mode) and requites it; when none is idle and the pool
 * is full, the session waits in line, at most {@code query_wait_timeout}.
 *
 * <p>Thread-safe: sessions on every event loop borrow from it. The pool's own state is guarded by
 * its monitor, held only for a few field updates and never while doing I/O; callbacks run on the
 * borrowing session's event loop. An idle connection on the borrower's own loop is preferred, so
 * client and server channels usually share one thread.
 */
public final class Pool {
    private static final Logger log = LoggerFactory.getLogger(Pool.class);

    /** Limits and timeouts, read from the configuration at each use so a reload applies at once. */
    public interface Settings {
        int poolSize();

        int minPoolSize();

        long queryWaitTimeoutMillis();

        long serverConnectTimeoutMillis();

        long serverIdleTimeoutNanos();

        long serverLifetimeNanos();
    }

    private final PoolKey key;
    private final ProxyConfig.Node node;
    private final Settings settings;
    private final ArrayDeque<ServerConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final List<ServerConnection> all = new ArrayList<>();
    /** Busy connections to close when they come back ({@link #retire}), and why. */
    private final java.util.Map<ServerConnection, String> retiring = new java.util.IdentityHashMap<>();
    private int connecting;
    private volatile ServerCredentials credentials;
    private volatile Map<String, String> serverParameters;
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder borrowed = new LongAdder();
    private volatile long maxWaitNanos;

    private final long epoch;

    public Pool(PoolKey key, ProxyConfig.Node node, Settings settings) {
        this(key, node, settings, 0);
    }

    /** @param epoch the leader key's epoch its node held when the pool was made (a primary's pool), else 0 */
    public Pool(PoolKey key, ProxyConfig.Node node, Settings settings, long epoch) {
        this.key = key;
        this.node = node;
        this.settings = settings;
        this.epoch = epoch;
    }

    /** The leader epoch its connections were opened under (0: not a primary of a followed cluster). */
    public long epoch() {
        return epoch;
    }

    public PoolKey key() {
        return key;
    }

    public ProxyConfig.Node node() {
        return node;
    }

    /** The parameters a server of this pool reported at login (for a new client's startup), or null before the first login. */
    public Map<String, String> serverParameters() {
        return serverParameters;
    }

    /** Remembers how to log in as this pool's user, for connections opened without a client (min_pool_size). */
    public void credentials(ServerCredentials latest) {
        this.credentials = latest;
    }

    /** A request for a connection, cancellable while it waits. */
    public final class Waiter {
        private final EventLoop loop;
        private final Consumer<ServerConnection> onServer;
        private final Consumer<ErrorResponse> onError;
        private final long since = System.nanoTime();
        private ScheduledFuture<?> timeout;
        private boolean done;

        private Waiter(EventLoop loop, Consumer<ServerConnection> onServer, Consumer<ErrorResponse> onError) {
            this.loop = loop;
            this.onServer = onServer;
            this.onError = onError;
        }

        /** Stops waiting (the client left or cancelled); a connection handed over meanwhile goes back. */
        public void cancel() {
            synchronized (Pool.this) {
                if (done) {
                    return;
                }
                done = true;
                waiters.remove(this);
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        /** Whether the request was answered, expired or cancelled: nothing more will come of it. */
        public boolean done() {
            synchronized (Pool.this) {
                return done;
            }
        }

        private boolean take() {
            if (done) {
                return false;
            }
            done = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            long waited = System.nanoTime() - since;
            waitNanos.add(waited);
            waits.increment();
            if (waited > maxWaitNanos) {
                maxWaitNanos = waited;
            }
            return true;
        }
    }

    /**
     * Borrows a connection for a session on {@code loop}: {@code onServer} or {@code onError} runs
     * on {@code loop}, exactly once unless the returned waiter is cancelled first.
     *
     * @param login credentials for a new connection, if one must be opened
     */
    public Waiter borrow(EventLoop loop, ServerCredentials login, Consumer<ServerConnection> onServer,
                         Consumer<ErrorResponse> onError) {
        credentials = login;
        Waiter waiter = new Waiter(loop, onServer, onError);
        ServerConnection ready = null;
        boolean open = false;
        synchronized (this) {
            ready = takeIdle(loop);
            if (ready == null) {
                waiters.addLast(waiter);
                if (all.size() + connecting < settings.poolSize()) {
                    connecting++;
                    open = true;
                }
            } else {
                waiter.take();
            }
        }
        if (ready != null) {
            hand(waiter, ready);
            return waiter;
        }
        long wait = settings.queryWaitTimeoutMillis();
        if (wait > 0) {
            waiter.timeout = loop.schedule(() -> expire(waiter), wait, TimeUnit.MILLISECONDS);
        }
        if (open) {
            open(loop, login);
        }
        return waiter;
    }

    /**
     * Takes back a connection. A usable one goes to the longest waiter or the idle list; a closed one
     * leaves the pool, and a waiter then gets a new connection if there is room.
     */
    public void requite(ServerConnection server) {
        server.attach(null);
        String retired;
        synchronized (this) {
            retired = retiring.isEmpty() ? null : retiring.remove(server);
        }
        if (retired != null || !server.isUsable()
                || (settings.serverLifetimeNanos() > 0 && server.ageNanos() > settings.serverLifetimeNanos())) {
            if (server.isUsable()) {
                server.close(retired != null ? retired : "server_lifetime reached");
            }
            discard(server);
            return;
        }
        Waiter next;
        synchronized (this) {
            next = nextWaiter();
            if (next == null) {
                idle.addFirst(server);
                return;
            }
        }
        hand(next, server);
    }

    /** Removes a closed connection and opens a replacement if sessions are waiting. */
    public void discard(ServerConnection server) {
        EventLoop loop = null;
        synchronized (this) {
            idle.remove(server);
            retiring.remove(server);
            if (all.remove(server) && !waiters.isEmpty() && all.size() + connecting < settings.poolSize()) {
                connecting++;
                loop = waiters.peekFirst().loop;
            }
        }
        if (loop != null) {
            open(loop, credentials);
        }
    }

    /** Closes idle connections past server_idle_timeout (above min_pool_size) and opens up to min_pool_size. */
    public void maintain(EventLoop loop) {
        List<ServerConnection> expired = new ArrayList<>();
        int missing;
        synchronized (this) {
            long idleLimit = settings.serverIdleTimeoutNanos();
            long lifetime = settings.serverLifetimeNanos();
            for (Iterator<ServerConnection> it = idle.descendingIterator(); it.hasNext(); ) {
                ServerConnection s = it.next();
                boolean dead = !s.isUsable();
                boolean old = lifetime > 0 && s.ageNanos() > lifetime;
                boolean unused = idleLimit > 0 && s.idleNanos() > idleLimit && all.size() - expired.size() > settings.minPoolSize();
                if (dead || old || unused) {
                    it.remove();
                    all.remove(s);
                    expired.add(s);
                }
            }
            missing = credentials == null ? 0 : Math.max(0, settings.minPoolSize() - all.size() - connecting);
            connecting += missing;
        }
        for (ServerConnection s : expired) {
            s.close(!s.isUsable() ? "found closed while idle" : s.ageNanos() > settings.serverLifetimeNanos()
                    && settings.serverLifetimeNanos() > 0 ? "server_lifetime reached" : "server_idle_timeout reached");
        }
        for (int i = 0; i < missing; i++) {
            open(loop, credentials);
        }
    }

    /** Closes the idle connections (their node went down; they would fail whoever got them). */
    public void closeIdle(String reason) {
        List<ServerConnection> closing;
        synchronized (this) {
            closing = new ArrayList<>(idle);
            idle.clear();
            all.removeAll(closing);
        }
        closing.forEach(s -> s.close(reason));
    }

    /**
     * Closes the idle connections now and each busy one when it is requited (a statement through the
     * proxy needs the database to itself, like DROP DATABASE). Connections opened later are kept.
     */
    public void retire(String reason) {
        List<ServerConnection> closing;
        synchronized (this) {
            closing = new ArrayList<>(idle);
            idle.clear();
            all.removeAll(closing);
            all.forEach(s -> retiring.put(s, reason));
        }
        closing.forEach(s -> s.close(reason));
    }

    /** Closes every connection (shutdown, or the node left the configuration). */
    public void closeAll(String reason) {
        List<ServerConnection> servers;
        List<Waiter> waiting;
        synchronized (this) {
            servers = new ArrayList<>(all);
            waiting = new ArrayList<>(waiters);
            idle.clear();
        }
        servers.forEach(s -> s.close(reason));
        for (Waiter w : waiting) {
            fail(w, ErrorResponse.pgherdError(SqlState.ADMIN_SHUTDOWN, "pool " + key + " closed: " + reason));
        }
    }

    /** A snapshot for SHOW POOLS and metrics. */
    public synchronized Snapshot snapshot() {
        int active = 0;
        for (ServerConnection s : all) {
            if (s.state() == ServerConnection.State.ACTIVE) {
                active++;
            }
        }
        return new Snapshot(key, waiters.size(), active, idle.size(), connecting, all.size(), borrowed.sum(), waits.sum(),
                waitNanos.sum(), maxWaitNanos);
    }

    /** Every connection of the pool, for SHOW SERVERS. */
    public synchronized List<ServerConnection> servers() {
        return List.copyOf(all);
    }

    /** The pool's state in one line, for errors and logs. */
    public String describe() {
        Snapshot s = snapshot();
        return "pool " + key + ": size " + settings.poolSize() + ", active " + s.active() + ", idle " + s.idle()
                + ", connecting " + s.connecting() + ", waiting " + s.waiting();
    }

    /**
     * Counters of one pool.
     *
     * @param waiting sessions waiting for a connection
     * @param active connections working for a session
     * @param idle connections in the pool
     * @param connecting connections logging in
     * @param total connections open
     * @param borrowed how many times a connection was handed out
     * @param waits how many borrows had to wait (or were handed over from the idle list)
     * @param waitNanos total time waited
     * @param maxWaitNanos the longest wait
     */
    public record Snapshot(PoolKey key, int waiting, int active, int idle, int connecting, int total, long borrowed,
                           long waits, long waitNanos, long maxWaitNanos) {
    }

    private ServerConnection takeIdle(EventLoop loop) {
        ServerConnection other = null;
        for (Iterator<ServerConnection> it = idle.iterator(); it.hasNext(); ) {
            ServerConnection s = it.next();
            if (!s.isUsable()) {
                it.remove();
                all.remove(s);
                continue;
            }
            if (s.channel().eventLoop() == loop) {
                it.remove();
                return s;
            }
            if (other == null) {
                other = s;
            }
        }
        if (other != null) {
            idle.remove(other);
        }
        return other;
    }

    private Waiter nextWaiter() {
        while (!waiters.isEmpty()) {
            Waiter w = waiters.pollFirst();
            if (w.take()) {
                return w;
            }
        }
        return null;
    }

    private void hand(Waiter waiter, ServerConnection server) {
        borrowed.increment();
        server.attach(null);
        if (waiter.loop.inEventLoop()) {
            waiter.onServer.accept(server);
        } else {
            waiter.loop.execute(() -> waiter.onServer.accept(server));
        }
    }

    private void open(EventLoop loop, ServerCredentials login) {
        ServerConnection.connect(loop, node, key, login, settings.serverConnectTimeoutMillis()).addListener(f -> {
            if (f.isSuccess()) {
                ServerConnection server = (ServerConnection) f.getNow();
                if (serverParameters == null) {
                    serverParameters = server.parameters();
                }
                synchronized (this) {
                    connecting--;
                    all.add(server);
                }
                requite(server);
            } else {
                Waiter failed;
                synchronized (this) {
                    connecting--;
                    failed = nextWaiter();
                }
                ErrorResponse error = f.cause() instanceof ServerLoginException e ? e.error()
                        : ErrorResponse.pgherdError(SqlState.CONNECTION_FAILURE, "could not connect to " + node + ": "
                        + FailureText.describe(f.cause()));
                log.warn("{}: login to {} failed: {}", key, node, error.message());
                if (failed != null) {
                    fail(failed, error);
                }
            }
        });
    }

    private void expire(Waiter waiter) {
        synchronized (this) {
            if (!waiters.remove(waiter) || waiter.done) {
                return;
            }
            waiter.done = true;
        }
        fail(waiter, ErrorResponse.pgherdError(SqlState.TOO_MANY_CONNECTIONS, "no server connection within query_wait_timeout ("
                + settings.queryWaitTimeoutMillis() + " ms); " + describe()));
    }

    private static void fail(Waiter waiter, ErrorResponse error) {
        if (waiter.loop.inEventLoop()) {
            waiter.onError.accept(error);
        } else {
            waiter.loop.execute(() -> waiter.onError.accept(error));
        }
    }
}
