package io.pgherd.proxy.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.proxy.topology.NodeState;

/**
 * Keeps the proxy's nodes that the cluster says must take no new reads out of the read pool: a member whose
 * record is gone ({@link MemberReads}) until it is back, a new replica the controller has not yet seen stream
 * within the lag limit ({@link ReplicaReadiness}) until it has, and a member the cluster drains ({@link ClusterDraining}),
 * as after the admin console's DRAIN but kept apart from it (the cluster's end of a drain does not end an
 * operator's). Reads already running there finish. Logs each change once. Not thread-safe: the
 * {@link ClusterFollower}'s thread only.
 */
final class ReadExclusions {
    private static final Logger log = LoggerFactory.getLogger(ReadExclusions.class);

    private final FollowedProxy proxy;

    ReadExclusions(FollowedProxy proxy) {
        this.proxy = proxy;
    }

    /**
     * Keeps the nodes whose member record is gone ({@link MemberReads}) and the new replicas not yet ready
     * ({@link ReplicaReadiness}) out of the read pool, and takes back the others. After the nodes are swapped in, so
     * a node made anew has it too (a new replica takes no read before its first check here).
     *
     * @param leaderName the leader, if any (it is never kept out)
     * @param recorded the members with a record
     * @param notReady the new replicas the controller has not yet seen stream within the lag limit
     */
    void followMemberRecords(Optional<String> leaderName, Set<String> recorded, Set<String> notReady) {
        Map<String, String> keptOut = MemberReads.keptOut(leaderName, recorded,
                proxy.backends().topology().nodes().stream().map(NodeState::node).toList());
        for (NodeState node : proxy.backends().topology().nodes()) {
            String reason = keptOut.get(node.name());
            if (reason == null && notReady.contains(node.name())) {
                reason = ReplicaReadiness.NOT_READY;
            }
            String before = node.keptOut();
            if (reason != null && !reason.equals(before)) {
                log.info(reason.equals(ReplicaReadiness.NOT_READY)
                        ? "member {} is a new replica the controller has not yet seen stream within the lag limit: no reads go to it"
                        : "member {} has no record in the DCS any more (its agent is stopped or cut off): no reads go to it",
                        node.name());
            } else if (reason == null && before != null) {
                log.info(before.equals(ReplicaReadiness.NOT_READY)
                        ? "member {} streams within the lag limit (the controller says it is ready): it takes reads"
                        : "member {} has a record in the DCS again: it takes reads", node.name());
            }
            node.keepOut(reason);
        }
    }

    /** Members the cluster drains ({@code draining}, {@link ClusterDraining}) take no new reads; the others do again. */
    void followDraining(Set<String> draining) {
        for (NodeState node : proxy.backends().topology().nodes()) {
            boolean on = draining.contains(node.name());
            if (on && !node.drainedByCluster()) {
                log.info("member {} is draining: no new reads go to it; reads running there finish", node.name());
            } else if (!on && node.drainedByCluster()) {
                log.info("member {} no longer drains", node.name());
            }
            node.drainedByCluster(on);
        }
    }
}
