package io.pgherd.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a store found unreadable: each is counted, and logged once per key and reason (a record
 * read every cycle is not logged every cycle), so none is dropped silently. Thread-safe.
 */
public final class UnreadableRecords {
    private static final Logger log = LoggerFactory.getLogger(UnreadableRecords.class);

    private final Map<String, String> reported = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();

    /** Counts {@code e}, and logs it unless the same key was last reported for the same reason. */
    void report(UnreadableRecordException e) {
        count.incrementAndGet();
        if (!e.reason().equals(reported.put(e.key(), e.reason()))) {
            log.warn("{}; it is skipped until it is written again", e.getMessage());
        }
    }

    /** The key was read fine: a later problem with it is logged again. */
    void readable(String key) {
        reported.remove(key);
    }

    /** How many unreadable records were met since this store was made. */
    public long count() {
        return count.get();
    }
}
