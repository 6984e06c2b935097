package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code failover}: a requested switchover (planned, {@code from} the current leader) or
 * failover. Its key's modRevision identifies the request: the proxies acknowledge that revision.
 *
 * @param from the leader to move away from, or empty for a failover
 * @param to the candidate that should lead, or empty for "the best one"
 * @param notBeforeMillis epoch milliseconds before which nothing happens (a scheduled switchover; 0: now)
 */
public record FailoverRequest(@JsonProperty("from") String from,
                              @JsonProperty("to") String to,
                              @JsonProperty("not_before") long notBeforeMillis) {
    public FailoverRequest {
        from = from == null ? "" : from;
        to = to == null ? "" : to;
    }
}
