package io.pgherd.proxy.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.pgherd.proxy.config.ProxyConfig.Node;

/**
 * Which nodes an HA cluster keeps out of the read pool (DESIGN.md §2, §4): a node whose member record
 * is gone from the DCS — its agent stopped or died, and its ZooKeeper ephemeral node or etcd lease went
 * with it — takes no reads, even though its PostgreSQL may still answer: nobody supervises it any more,
 * nor makes it follow a new primary. It takes reads again as soon as its record is back. The leader is
 * never kept out (it holds the key, so its agent lives). Health checks, lag limits and draining apply
 * on top of this. Pure.
 */
public final class MemberReads {
    /** Why a node without a member record takes no reads (SHOW NODES, metrics). */
    public static final String NO_RECORD = "no member record in the DCS (its agent is stopped or cut off)";

    private MemberReads() {
    }

    /**
     * The nodes kept out of the read pool, by name, with the reason.
     *
     * @param leader who holds the leader key, if anyone
     * @param recorded the names of the members with a record in the DCS
     * @param nodes the proxy's nodes
     */
    public static Map<String, String> keptOut(Optional<String> leader, Set<String> recorded, Iterable<Node> nodes) {
        Map<String, String> out = new TreeMap<>();
        for (Node n : nodes) {
            if (!recorded.contains(n.name()) && !leader.equals(Optional.of(n.name()))) {
                out.put(n.name(), NO_RECORD);
            }
        }
        return out;
    }
}
