package io.pgherd.postgres;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a local cluster lives and what it holds: exactly one primary, listed first, then its
 * streaming standbys and read replicas. Immutable.
 *
 * @param root the cluster directory; each node lives in {@code root/<name>/}
 * @param nodes the nodes, primary first
 * @param parameters extra PostgreSQL parameters for every node (after pgherd's own)
 */
public record ClusterLayout(Path root, List<NodeSpec> nodes, Map<String, String> parameters) {
    public ClusterLayout {
        nodes = List.copyOf(nodes);
        parameters = Map.copyOf(parameters);
        List<String> problems = new ArrayList<>();
        if (nodes.isEmpty() || nodes.get(0).role() != NodeRole.PRIMARY) {
            problems.add("the first node must be the primary");
        }
        if (nodes.stream().filter(n -> n.role() == NodeRole.PRIMARY).count() > 1) {
            problems.add("only one node may be the primary");
        }
        Set<String> names = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (NodeSpec node : nodes) {
            if (!names.add(node.name())) {
                problems.add("node name " + node.name() + " is used twice");
            }
            if (!ports.add(node.port())) {
                problems.add("port " + node.port() + " is used twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid cluster layout: " + String.join("; ", problems));
        }
    }

    /**
     * The usual shape: {@code node1} primary, {@code node2} standby (when {@code standby}), then
     * {@code replicas} read replicas, on the given ports in that order.
     */
    public static ClusterLayout standard(Path root, boolean standby, int replicas, List<Integer> ports,
                                         Map<String, String> parameters) {
        int count = 1 + (standby ? 1 : 0) + replicas;
        if (ports.size() != count) {
            throw new IllegalArgumentException("need " + count + " ports, got " + ports.size());
        }
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            NodeRole role = i == 0 ? NodeRole.PRIMARY : (standby && i == 1 ? NodeRole.STANDBY : NodeRole.REPLICA);
            nodes.add(new NodeSpec("node" + (i + 1), role, ports.get(i)));
        }
        return new ClusterLayout(root, nodes, parameters);
    }
}
