package io.pgherd.proxy.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.pgherd.proxy.config.ProxyConfig;

/**
 * The nodes the proxy routes to, from the configuration plus what health checks and sessions found,
 * and the choice of a node for a read: among eligible nodes (up, in recovery, not draining, not kept
 * out by the followed cluster, weight above 0, within the lag limits, standbys only when they serve
 * reads) the one with the fewest outstanding requests per unit of weight, ties broken at random in
 * proportion to weight.
 * Thread-safe; a reload swaps the node list and keeps each surviving node's state.
 */
public final class Topology {
    /** Why a node the followed cluster drains takes no reads (an operator's DRAIN says only "draining"). */
    public static final String DRAINED_BY_CLUSTER = "draining: the cluster drains it (DCS)";

    private volatile List<NodeState> nodes;

    /**
     * A node for a read.
     *
     * @param node where the read goes
     * @param catchUp whether the node's last known replay position is behind the position asked for,
     *                so the session must check it (or wait) before running the read there
     */
    public record ReadTarget(NodeState node, boolean catchUp) {
    }

    public Topology(ProxyConfig config) {
        this.nodes = build(config, Map.of());
    }

    /** Applies a reloaded configuration: new nodes start unchecked, removed ones disappear. */
    public synchronized void update(ProxyConfig config) {
        Map<String, NodeState> old = new HashMap<>();
        nodes.forEach(n -> old.put(n.name(), n));
        nodes = build(config, old);
    }

    private static List<NodeState> build(ProxyConfig config, Map<String, NodeState> old) {
        List<NodeState> list = new ArrayList<>();
        for (ProxyConfig.Node node : config.get(ProxyConfig.NODES)) {
            NodeState state = old.get(node.name());
            if (state == null || !state.node().host().equals(node.host()) || state.node().port() != node.port()
                    || state.node().role() != node.role()) {
                state = new NodeState(node);
                if (node.role() == ProxyConfig.Role.PRIMARY) {
                    // Writes go to the configured primary whatever its checks say; it is up until it fails.
                    state.checked(false, 0, 0, 0);
                }
            } else {
                state.node(node);
            }
            list.add(state);
        }
        return List.copyOf(list);
    }

    public List<NodeState> nodes() {
        return nodes;
    }

    public NodeState primary() {
        for (NodeState n : nodes) {
            if (n.isPrimary()) {
                return n;
            }
        }
        throw new IllegalStateException("no primary configured");
    }

    /** The node called {@code name}, or null. */
    public NodeState node(String name) {
        for (NodeState n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        return null;
    }

    /** Whether any node besides the primary could ever take reads. */
    public boolean hasReplicas() {
        return nodes.size() > 1;
    }

    /**
     * Why {@code n} takes no reads now, or null when it may. The primary is judged as a reader
     * (only with primary_reads always).
     */
    public String whyNoReads(NodeState n, ProxyConfig config) {
        if (n.drainedByOperator()) {
            return "draining";
        }
        if (n.drainedByCluster()) {
            return DRAINED_BY_CLUSTER;
        }
        String keptOut = n.keptOut();
        if (keptOut != null) {
            return keptOut;
        }
        if (!n.isUp()) {
            return "down: " + n.downReason();
        }
        if (n.node().weight() == 0) {
            return "weight 0";
        }
        if (n.isPrimary()) {
            return config.get(ProxyConfig.PRIMARY_READS) == ProxyConfig.PrimaryReads.ALWAYS ? null
                    : "primary (reads only when no replica is eligible)";
        }
        if (n.node().role() == ProxyConfig.Role.STANDBY && !config.get(ProxyConfig.STANDBY_READS)) {
            return "standby_reads is off";
        }
        if (!n.inRecovery()) {
            return "not in recovery: not following the primary";
        }
        long maxBytes = config.get(ProxyConfig.MAX_REPLICA_LAG_BYTES);
        if (maxBytes > 0 && n.lagBytes() > maxBytes) {
            return "lag " + n.lagBytes() + " bytes > max_replica_lag_bytes " + maxBytes;
        }
        double maxSeconds = config.get(ProxyConfig.MAX_REPLICA_LAG).toMillis() / 1000.0;
        if (maxSeconds > 0 && n.lagSeconds() > maxSeconds) {
            return String.format(java.util.Locale.ROOT, "lag %.1f s > max_replica_lag %.1f s", n.lagSeconds(), maxSeconds);
        }
        return null;
    }

    /**
     * Chooses where a read goes.
     *
     * @param minPosition the WAL position the read must see (0: any)
     * @return the chosen node, or null when no node may take it (no eligible replica and primary_reads never)
     */
    public ReadTarget chooseReader(ProxyConfig config, long minPosition) {
        List<NodeState> eligible = new ArrayList<>(nodes.size());
        for (NodeState n : nodes) {
            if (whyNoReads(n, config) == null) {
                eligible.add(n);
            }
        }
        if (eligible.isEmpty()) {
            NodeState primary = primary();
            boolean fallback = config.get(ProxyConfig.PRIMARY_READS) != ProxyConfig.PrimaryReads.NEVER;
            return fallback && primary.isUp() && !primary.draining() ? new ReadTarget(primary, false) : null;
        }
        if (minPosition > 0) {
            List<NodeState> caughtUp = new ArrayList<>(eligible.size());
            List<NodeState> furthest = new ArrayList<>(eligible.size());
            for (NodeState n : eligible) {
                if (n.isPrimary() || n.walPosition() >= minPosition) {
                    caughtUp.add(n);
                } else {
                    if (!furthest.isEmpty() && n.walPosition() > furthest.get(0).walPosition()) {
                        furthest.clear();
                    }
                    if (furthest.isEmpty() || n.walPosition() == furthest.get(0).walPosition()) {
                        furthest.add(n);
                    }
                }
            }
            boolean replicaCaughtUp = caughtUp.stream().anyMatch(n -> !n.isPrimary());
            if (!replicaCaughtUp && !furthest.isEmpty()) {
                // No replica is known to have replayed that far. Reads still spread by weight (the primary
                // takes its share when it takes reads at all); one that falls to the replicas asks the
                // furthest along whether it has caught up.
                NodeState pick = leastLoaded(eligible);
                return pick.isPrimary() ? new ReadTarget(pick, false) : new ReadTarget(leastLoaded(furthest), true);
            }
            eligible = caughtUp;
        }
        return new ReadTarget(leastLoaded(eligible), false);
    }

    /** Fewest outstanding requests per unit of weight; ties at random in proportion to weight. */
    static NodeState leastLoaded(List<NodeState> candidates) {
        double best = Double.MAX_VALUE;
        List<NodeState> ties = new ArrayList<>(candidates.size());
        int tieWeight = 0;
        for (NodeState n : candidates) {
            double score = (double) n.outstanding() / n.node().weight();
            if (score < best - 1e-9) {
                best = score;
                ties.clear();
                tieWeight = 0;
            }
            if (score <= best + 1e-9) {
                ties.add(n);
                tieWeight += n.node().weight();
            }
        }
        if (ties.size() == 1) {
            return ties.get(0);
        }
        int pick = ThreadLocalRandom.current().nextInt(tieWeight);
        for (NodeState n : ties) {
            pick -= n.node().weight();
            if (pick < 0) {
                return n;
            }
        }
        return ties.get(ties.size() - 1);
    }
}
