package io.pgherd.proxy.cluster;

import java.util.List;
import java.util.Objects;

import io.pgherd.cluster.ProxyRecord;

/**
 * When a proxy writes its record ({@code proxies/<name>}) again. A change of its acknowledgement or of the
 * members it drains is written at once (an old primary's agent and the controller wait for them). A change of
 * only the reads it runs is rate-limited, since under load they change all the time: promptly
 * ({@link #DRAINING_INTERVAL_MILLIS}) when the reads on a member it drains changed, since a controller waits for
 * them to reach 0; else at most every {@link #INTERVAL_MILLIS}. Pure.
 */
public final class ReadsReport {
    /** The least time between two writes of a change of reads on members that do not drain. */
    public static final long INTERVAL_MILLIS = 1000;
    /** The least time between two writes of a change of reads on a member that drains. */
    public static final long DRAINING_INTERVAL_MILLIS = 100;

    private ReadsReport() {
    }

    /**
     * Whether {@code next} is to be written now.
     *
     * @param written the record last written; null: none yet (in this session)
     * @param writtenAtMillis when it was written
     * @param next the record as it would be now
     * @param nowMillis now
     */
    public static boolean due(ProxyRecord written, long writtenAtMillis, ProxyRecord next, long nowMillis) {
        if (written == null) {
            return true;
        }
        if (next.equals(written)) {
            return false;
        }
        if (!next.name().equals(written.name()) || next.ack() != written.ack()
                || next.heldSinceMillis() != written.heldSinceMillis() || !Objects.equals(next.draining(), written.draining())) {
            return true;
        }
        long since = nowMillis - writtenAtMillis;
        List<String> draining = next.draining() == null ? List.of() : next.draining();
        boolean drainingChanged = draining.stream().anyMatch(m -> next.readsOn(m).orElse(0) != written.readsOn(m).orElse(0));
        return since >= (drainingChanged ? DRAINING_INTERVAL_MILLIS : INTERVAL_MILLIS);
    }
}
