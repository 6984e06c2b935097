package io.pgherd.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import io.pgherd.proxy.topology.NodeState;
import io.pgherd.proxy.topology.Topology;

/**
 * DRAIN node (no new reads go there; work in flight finishes) and UNDRAIN node (it takes reads again
 * once eligible). The flag is kept across RELOAD while the node keeps its address and role. Draining
 * the primary stops reads there, not writes.
 */
final class Drain {
    private Drain() {
    }

    /** The node called {@code name}, or an IllegalArgumentException naming the nodes there are. */
    static NodeState node(AdminContext proxy, String name) {
        Topology topology = proxy.backends().topology();
        NodeState node = topology.node(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " (nodes: " + topology.nodes().stream()
                    .map(NodeState::name).collect(Collectors.joining(", ")) + ")");
        }
        return node;
    }

    static final class On implements AdminCommand {
        @Override
        public String pattern() {
            return "drain\\s+([^\\s;]+)";
        }

        @Override
        public String help() {
            return "DRAIN <node>: send no new reads there (work in flight finishes; the primary keeps taking writes)";
        }

        @Override
        public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
            node(proxy, match.group(1)).draining(true);
            return CompletableFuture.completedFuture(AdminResult.tag("DRAIN"));
        }
    }

    static final class Off implements AdminCommand {
        @Override
        public String pattern() {
            return "undrain\\s+([^\\s;]+)";
        }

        @Override
        public String help() {
            return "UNDRAIN <node>: let the node take reads again when eligible";
        }

        @Override
        public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
            node(proxy, match.group(1)).draining(false);
            return CompletableFuture.completedFuture(AdminResult.tag("UNDRAIN"));
        }
    }
}
