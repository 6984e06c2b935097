package io.pgherd.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code proxies/<name>}: one live proxy, its acknowledgement of a switchover, and the reads it
 * runs on each member.
 *
 * @param name the proxy's name (the key's last segment when the record does not say)
 * @param ack the modRevision of the {@code failover} key for which the proxy has stopped starting write
 *            transactions and let those in flight finish; 0: it has acknowledged nothing (also when the
 *            record cannot be read)
 * @param heldSinceMillis since when (epoch ms) it holds new write transactions; 0: it holds none
 * @param reads per member (not the primary), the reads this proxy runs there now: its server connections
 *              to that member in use by a client (a read, a read-only transaction, a pinned session); a member
 *              not named runs none. Null when the proxy does not say (a release before this field, or a
 *              record that cannot be read): then nothing is known of its reads
 */
public record ProxyRecord(@JsonProperty("name") String name,
                          @JsonProperty("ack") long ack,
                          @JsonProperty("held_since") long heldSinceMillis,
                          @JsonProperty("reads") @JsonInclude(JsonInclude.Include.NON_NULL) SortedMap<String, Integer> reads) {
    public ProxyRecord {
        name = name == null ? "" : name;
        reads = reads == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(reads));
    }

    /** A record that says nothing of reads (as the release before {@code reads} wrote). */
    public ProxyRecord(String name, long ack, long heldSinceMillis) {
        this(name, ack, heldSinceMillis, null);
    }

    /** A record with the reads running now on each member (members with none may be left out). */
    public static ProxyRecord withReads(String name, long ack, long heldSinceMillis, Map<String, Integer> reads) {
        TreeMap<String, Integer> running = new TreeMap<>();
        reads.forEach((member, n) -> {
            if (n != null && n > 0) {
                running.put(member, n);
            }
        });
        return new ProxyRecord(name, ack, heldSinceMillis, running);
    }

    /** The reads this proxy runs on {@code member} now; empty when the proxy does not say ({@link #reads()} null). */
    public OptionalInt readsOn(String member) {
        return reads == null ? OptionalInt.empty() : OptionalInt.of(reads.getOrDefault(member, 0));
    }
}
