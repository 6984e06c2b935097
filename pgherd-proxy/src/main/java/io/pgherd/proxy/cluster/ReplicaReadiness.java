package io.pgherd.proxy.cluster;

import java.util.Set;
import java.util.TreeSet;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Leader;

/**
 * Which members are new read replicas that take no reads yet (issue 15): the controller's task that adds one
 * writes its assignment with {@code ready: false} before the member's agent starts, and sets it true once the
 * leader's {@code pg_stat_replication} shows it streaming within the lag limit. Until then a replica that is up
 * and in recovery may still not stream at all (its WAL receiver cannot connect), so the proxies' own health check
 * cannot tell. A record without the field, and a record of a newer release, say nothing; the leader is never
 * kept out. Health checks, lag limits and draining apply on top of this. Pure.
 */
public final class ReplicaReadiness {
    /** Why a new replica not yet ready takes no reads (SHOW NODES' {@code why_not}, metrics). */
    public static final String NOT_READY = "not serving: a new replica not yet streaming within the lag limit (controller)";

    private ReplicaReadiness() {
    }

    /** The members of {@code cluster} that take no reads until the controller says they stream, sorted. */
    public static Set<String> notReady(ClusterSnapshot cluster) {
        String leader = cluster.leader().map(Leader::member).orElse("");
        Set<String> out = new TreeSet<>();
        for (Assignment a : cluster.assignments().values()) {
            if (a.awaitsStreaming() && !a.member().equals(leader)) {
                out.add(a.member());
            }
        }
        return out;
    }
}
