package io.pgherd.cluster;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
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
 * @param draining the members this proxy has seen the cluster drain (their member record or assignment says so),
 *                 sorted: it sends them no new reads; null when the proxy does not say (a release before this field)
 */
public record ProxyRecord(@JsonProperty("name") String name,
                          @JsonProperty("ack") long ack,
                          @JsonProperty("held_since") long heldSinceMillis,
                          @JsonProperty("reads") @JsonInclude(JsonInclude.Include.NON_NULL) SortedMap<String, Integer> reads,
                          @JsonProperty("draining") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> draining) {
    public ProxyRecord {
        name = name == null ? "" : name;
        reads = reads == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(reads));
        draining = draining == null ? null : draining.stream().sorted().distinct().toList();
    }

    /** A record that says nothing of reads (as the release before {@code reads} wrote). */
    public ProxyRecord(String name, long ack, long heldSinceMillis) {
        this(name, ack, heldSinceMillis, null, null);
    }

    /**
     * A record with the reads running now on each member (members with none are left out) and the members this
     * proxy drains because the cluster does.
     */
    public static ProxyRecord withReads(String name, long ack, long heldSinceMillis, Map<String, Integer> reads,
                                        Collection<String> draining) {
        TreeMap<String, Integer> running = new TreeMap<>();
        reads.forEach((member, n) -> {
            if (n != null && n > 0) {
                running.put(member, n);
            }
        });
        return new ProxyRecord(name, ack, heldSinceMillis, running, List.copyOf(draining));
    }

    /**
     * Whether this proxy is done with {@code member}: it has seen the cluster drain it (so it starts no new read
     * there) and runs no read there any more. False for a proxy that does not say (a release before these fields).
     */
    public boolean drained(String member) {
        return draining != null && draining.contains(member) && readsOn(member).orElse(1) == 0;
    }

    /** The reads this proxy runs on {@code member} now; empty when the proxy does not say ({@link #reads()} null). */
    public OptionalInt readsOn(String member) {
        return reads == null ? OptionalInt.empty() : OptionalInt.of(reads.getOrDefault(member, 0));
    }
}
