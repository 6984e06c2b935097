package io.pgherd.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Watch;
import io.pgherd.dcs.WatchEvent;

/** The failover key's revisions and the proxies' acknowledgements, as a DCS watch saw them during one switchover. */
final class DcsEvents implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final ConcurrentLinkedQueue<WatchEvent> seen = new ConcurrentLinkedQueue<>();
    private final ClusterKeys keys;
    private Watch watch;

    private DcsEvents(ClusterKeys keys) {
        this.keys = keys;
    }

    static DcsEvents watch(Dcs dcs, ClusterKeys keys) {
        DcsEvents events = new DcsEvents(keys);
        events.watch = dcs.watch(keys.prefix(), events.seen::add);
        return events;
    }

    /** The revision of the last write of the failover key (0: none seen). */
    long failoverRevision() {
        long revision = 0;
        for (WatchEvent e : seen) {
            if (e instanceof WatchEvent.Put put && put.entry().key().equals(keys.failover())) {
                revision = put.entry().modRevision();
            }
        }
        return revision;
    }

    /** The acknowledgements {@code proxy} wrote, in order. */
    List<Long> acks(String proxy) {
        List<Long> acks = new ArrayList<>();
        for (WatchEvent e : seen) {
            if (e instanceof WatchEvent.Put put && put.entry().key().equals(keys.proxy(proxy))) {
                acks.add(ack(put));
            }
        }
        return acks;
    }

    /** Whether {@code proxy}'s acknowledgement of {@code revision} came before {@code leader} gave up the leader key. */
    boolean ackedBeforeTheLeaderLeft(String proxy, long revision, String leader) {
        for (WatchEvent e : seen) {
            if (e instanceof WatchEvent.Put put && put.entry().key().equals(keys.proxy(proxy))
                    && ack(put) == revision) {
                return true;
            }
            if (e instanceof WatchEvent.Delete delete && delete.key().equals(keys.leader())
                    || e instanceof WatchEvent.Put put && put.entry().key().equals(keys.leader())
                    && !put.entry().value().equals(leader)) {
                return false;
            }
        }
        return false;
    }

    private static long ack(WatchEvent.Put proxyRecord) {
        try {
            return JSON.readTree(proxyRecord.entry().value()).path("ack").asLong();
        } catch (java.io.IOException e) {
            throw new AssertionError("a proxy record is no JSON: " + proxyRecord.entry().value(), e);
        }
    }

    @Override
    public void close() {
        watch.close();
    }
}
