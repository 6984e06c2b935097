package io.pgherd.proxy.cluster;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.History;
import io.pgherd.cluster.HistoryEntry;

/**
 * This proxy's view of the last change of leader ({@link WriteGate.Timeline}: when it saw the failure, the new
 * leader, released the held writes, and the first write through it), added to that promotion's entry in the DCS
 * history. The agent appends the entry after its own first write, which the proxy's can precede, so it is tried
 * again on each {@link #retry} until the entry is there, and given up after {@value #GIVE_UP_MILLIS} ms with a
 * warning. A DCS that does not answer is tried again the same way. Not thread-safe: the {@link ClusterFollower}'s
 * thread only.
 */
final class ProxyTimeline {
    private static final Logger log = LoggerFactory.getLogger(ProxyTimeline.class);
    static final long GIVE_UP_MILLIS = 60_000;

    private final ClusterStore store;
    private final String name;
    /** The timeline not recorded yet, or null. */
    private WriteGate.Timeline timeline;
    private long since;

    /** @param name this proxy, under which the timeline is recorded */
    ProxyTimeline(ClusterStore store, String name) {
        this.store = store;
        this.name = name;
    }

    /** A change of leader the write gate saw finish: records it now, or on a later {@link #retry}. */
    void record(WriteGate.Timeline finished) {
        timeline = finished;
        since = System.currentTimeMillis();
        recordTimeline();
    }

    /** Tries again to record the timeline not recorded yet, if any. */
    void retry() {
        if (timeline != null) {
            recordTimeline();
        }
    }

    /** Adds this proxy's view of the last change of leader to that promotion's history entry. */
    private void recordTimeline() {
        WriteGate.Timeline t = timeline;
        HistoryEntry.ProxyTimeline mine = new HistoryEntry.ProxyTimeline(t.failureSeen(), t.leaderSeen(), t.opened(),
                t.firstWrite(), t.opened() - t.failureSeen(), t.epoch());
        try {
            // Empty while its agent has not recorded the promotion yet: the tick tries again.
            AtomicReference<String> lost = new AtomicReference<>("");
            if (store.updateHistory(history -> promotionEntry(history, t).map(i -> {
                lost.set(Optional.ofNullable(history.entries().get(i).previousLeader()).orElse(""));
                return history.replace(i, history.entries().get(i).withProxy(name, mine));
            }))) {
                log.info("recorded in the history: {}{} promoted, seen {} ms after the failure, writes released after {} ms, {}",
                        lost.get().isEmpty() ? "" : "primary " + lost.get() + " lost; ", t.leader(),
                        t.leaderSeen() - t.failureSeen(), t.opened() - t.failureSeen(), t.firstWrite() > 0
                                ? "first write after " + (t.firstWrite() - t.failureSeen()) + " ms" : "no write seen");
                timeline = null;
                return;
            }
        } catch (RuntimeException e) {
            log.debug("could not record the timeline yet: {}", e.toString());
        }
        if (System.currentTimeMillis() - since > GIVE_UP_MILLIS) {
            log.warn("gave up recording this proxy's timeline of {}'s promotion: no history entry for it", t.leader());
            timeline = null;
        }
    }

    /**
     * The index of the history entry of the promotion {@code t} saw ({@link History#promotionOf}); empty
     * while its agent has not appended it (it does so after its own first write, which a proxy's can precede).
     */
    static Optional<Integer> promotionEntry(History history, WriteGate.Timeline t) {
        int index = history.promotionOf(t.leader(), t.epoch());
        return index < 0 ? Optional.empty() : Optional.of(index);
    }
}
