package io.pgherd.dcs;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Session} that is one ZooKeeper session, on a Curator client of its own so that its
 * TTL is its own session timeout. Curator reports {@link ConnectionState#LOST} when the session
 * expired or no server answered for the session timeout; then, or when Curator reconnects under
 * another session id, the session is lost and its client closed, so that Curator never carries on
 * under a new ZooKeeper session that the holder does not know about.
 */
final class ZooKeeperSession implements Session {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperSession.class);

    private final ZooKeeperDcs dcs;
    private final CuratorFramework client;
    private final Executor events;
    private final long sessionId;
    private final Duration ttl;
    private final SessionLifecycle lifecycle;
    private final Renewals renewals;
    private final ConnectionStateListener connectionListener = this::connectionChanged;

    /**
     * @param client a started client that is connected
     * @param openedNanos when the client was started ({@link System#nanoTime()}), before the server created the session
     */
    ZooKeeperSession(ZooKeeperDcs dcs, CuratorFramework client, Executor events, long openedNanos) throws Exception {
        this.dcs = dcs;
        this.client = client;
        this.events = events;
        this.sessionId = client.getZookeeperClient().getZooKeeper().getSessionId();
        this.ttl = Duration.ofMillis(client.getZookeeperClient().getZooKeeper().getSessionTimeout());
        this.lifecycle = new SessionLifecycle(dcs.store() + " session " + id(), events);
        this.renewals = new Renewals(ttl, openedNanos);
    }

    void start() {
        client.getConnectionStateListenable().addListener(connectionListener);
        // The session may have been replaced before the listener was in place.
        checkSessionId();
    }

    CuratorFramework client() {
        return client;
    }

    long sessionId() {
        return sessionId;
    }

    boolean belongsTo(ZooKeeperDcs owner) {
        return dcs == owner;
    }

    /**
     * Checks that a node just created belongs to this session and not to one Curator opened
     * after this session expired; if not, deletes it and reports the session lost.
     */
    void requireOwned(String operation, String key, Stat created) throws Exception {
        if (created.getEphemeralOwner() == sessionId) {
            return;
        }
        client.delete().withVersion(created.getVersion()).forPath(key);
        lose("ZooKeeper replaced the session by 0x" + Long.toHexString(created.getEphemeralOwner()));
        throw new LostSessionException(dcs.store(), operation, key, this);
    }

    @Override
    public String id() {
        return Long.toHexString(sessionId);
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public State state() {
        return lifecycle.state();
    }

    /**
     * Sends one {@code exists} of the root through this session's own connection, without Curator's retries:
     * every request a server receives renews the session it belongs to.
     */
    @Override
    public void renew() {
        long sent = System.nanoTime();
        if (state() != State.ALIVE || !renewals.begin(sent)) {
            return;
        }
        try {
            ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
            if (zooKeeper.getSessionId() != sessionId) {
                renewals.failed(sent);
                return;
            }
            zooKeeper.exists("/", false, (rc, path, context, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    renewals.confirmed(sent);
                } else {
                    renewals.failed(sent);
                }
            }, null);
        } catch (Exception e) {
            renewals.failed(sent);
        }
    }

    @Override
    public long expiresNotBeforeNanos() {
        return renewals.expiresNotBeforeNanos();
    }

    @Override
    public void onLost(Consumer<String> listener) {
        lifecycle.onLost(listener);
    }

    @Override
    public void close() {
        lifecycle.close();
        client.getConnectionStateListenable().removeListener(connectionListener);
        client.close();
        dcs.forget(this);
    }

    @Override
    public String toString() {
        return "zookeeper session " + id() + " (ttl " + ttl.toMillis() + " ms, " + state() + ")";
    }

    private void connectionChanged(CuratorFramework ignored, ConnectionState state) {
        switch (state) {
            case LOST -> lose("no ZooKeeper server answered within the session timeout of " + ttl.toMillis() + " ms, or the session expired");
            case RECONNECTED -> checkSessionId();
            case SUSPENDED -> log.info("{}: session {}: connection suspended, session kept until its timeout of {} ms",
                    dcs.store(), id(), ttl.toMillis());
            default -> {
                // CONNECTED and READ_ONLY say nothing about this session.
            }
        }
    }

    private void checkSessionId() {
        try {
            long current = client.getZookeeperClient().getZooKeeper().getSessionId();
            if (current != sessionId) {
                lose("ZooKeeper replaced the session by 0x" + Long.toHexString(current));
            }
        } catch (Exception e) {
            lose("cannot read the session id: " + e.getMessage());
        }
    }

    private void lose(String reason) {
        if (lifecycle.lose(reason)) {
            // Not on Curator's event thread, which closing the client would wait for.
            try {
                events.execute(this::closeClient);
            } catch (RejectedExecutionException e) {
                closeClient();
            }
        }
    }

    private void closeClient() {
        client.getConnectionStateListenable().removeListener(connectionListener);
        client.close();
    }
}
