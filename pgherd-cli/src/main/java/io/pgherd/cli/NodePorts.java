package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.Processes;

/**
 * {@code pgherd up --node-port NODE=PORT} on an existing cluster: the nodes it names move to their new ports. Each
 * node moved must be stopped (its PostgreSQL and its agent), and its new port free.
 */
final class NodePorts {
    private final Map<String, Integer> ports;
    private final Optional<Path> pgBin;

    /**
     * @param ports the new port of each node named (null or empty: none moves)
     * @param pgBin the PostgreSQL binaries' directory given with {@code --pg-bin}, if any
     */
    NodePorts(Map<String, Integer> ports, Optional<Path> pgBin) {
        this.ports = ports == null ? Map.of() : Map.copyOf(ports);
        this.pgBin = pgBin;
    }

    /** The cluster's state with the nodes moved on their new ports (written to the directory when any moved). */
    LocalState apply(PrintWriter out, ClusterDirectory directory, LocalState state) {
        if (ports.isEmpty()) {
            return state;
        }
        List<String> names = state.nodes().stream().map(LocalState.Node::name).toList();
        List<String> unknown = ports.keySet().stream().filter(n -> !names.contains(n)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new CommandFailure("--node-port: no node " + String.join(", ", unknown) + " in this cluster (its nodes: "
                    + String.join(", ", names) + ")");
        }
        LocalCluster cluster = directory.cluster(state, pgBin);
        LocalAgents agents = new LocalAgents(directory, state, cluster);
        PortPlan plan = PortPlan.ofRecorded(state);
        List<LocalState.Node> nodes = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (LocalState.Node node : state.nodes()) {
            Integer port = ports.get(node.name());
            if (port == null || port == node.port()) {
                nodes.add(node);
                continue;
            }
            boolean postgresRuns = cluster.node(node.name()).postmasterPid().stream().anyMatch(Processes::isRunning);
            if (postgresRuns || (state.highlyAvailable() && agents.agent(node).isRunning())) {
                throw new CommandFailure(node.name() + " runs: stop the cluster first ('pgherd down --dir " + directory.path()
                        + "'), then move it with --node-port");
            }
            plan.claim(port, true, "--node-port", "PostgreSQL of " + node.name());
            nodes.add(new LocalState.Node(node.name(), node.role(), port, node.apiPort()));
            moved.add(node.name() + " from port " + node.port() + " to " + port);
        }
        plan.check();
        if (moved.isEmpty()) {
            return state;
        }
        LocalState changed = state.withNodes(nodes);
        directory.write(changed);
        out.println("pgherd: moving " + String.join(", ", moved));
        return changed;
    }
}
