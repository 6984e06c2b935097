package io.pgherd.proxy.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.Session;
import io.pgherd.proxy.topology.NodeState;

/**
 * This proxy's record in the DCS ({@code proxies/<name>}): its registration, its acknowledgement of a switchover,
 * the members it drains and the reads it runs on each member. It is written under a session of its own (opened
 * again when lost, the record then written anew), and only when {@link ReadsReport} says it is due. A DCS that does
 * not answer throws (a {@link DcsException}); the caller tries again. Not thread-safe: the
 * {@link ClusterFollower}'s thread only.
 */
final class ProxyRegistration {
    private final Dcs dcs;
    private final ClusterStore store;
    private final String name;
    private final FollowedProxy proxy;
    private Session session;
    private ProxyRecord writtenRecord;
    private long writtenAt;

    ProxyRegistration(Dcs dcs, ClusterStore store, String name, FollowedProxy proxy) {
        this.dcs = dcs;
        this.store = store;
        this.name = name;
        this.proxy = proxy;
    }

    /** Whether the record was written in the current session (the reads report starts only then). */
    boolean registered() {
        return writtenRecord != null;
    }

    /**
     * Writes this proxy's record if it is due, under a session of {@code ttlMillis} (a new one when there is none alive).
     *
     * @param acknowledged the failover key revision acknowledged (0: none)
     * @param heldSinceMillis when writes were first held for it (0: none)
     * @param draining the members the cluster drains
     */
    void register(long acknowledged, long heldSinceMillis, Set<String> draining, long ttlMillis) {
        if (session == null || session.state() != Session.State.ALIVE) {
            if (session != null) {
                session.close();
            }
            session = dcs.openSession(Duration.ofMillis(ttlMillis));
            writtenRecord = null;
        }
        ProxyRecord record = ProxyRecord.withReads(name, acknowledged, heldSinceMillis, readsRunning(), draining);
        long now = System.currentTimeMillis();
        if (ReadsReport.due(writtenRecord, writtenAt, record, now)) {
            store.register(record, session);
            writtenRecord = record;
            writtenAt = now;
        }
    }

    /**
     * The reads running on each member now: the server connections to a node other than the primary that a
     * client holds (a read, a read-only transaction, a pinned session). Members with none are left out.
     */
    private Map<String, Integer> readsRunning() {
        Map<String, Integer> out = new TreeMap<>();
        for (NodeState node : proxy.backends().topology().nodes()) {
            if (!node.isPrimary() && node.outstanding() > 0) {
                out.put(node.name(), node.outstanding());
            }
        }
        return out;
    }

    /** Closes the session; the record goes with it. */
    void close() {
        if (session != null) {
            session.close();
        }
    }
}
