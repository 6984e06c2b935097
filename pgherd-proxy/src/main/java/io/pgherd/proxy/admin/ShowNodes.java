package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.common.config.HostPort;
import io.pgherd.common.config.Key;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.proxy.topology.Topology;

/**
 * SHOW NODES: every configured node, in configuration order, with what its health checks found,
 * the work sent to it, and whether it may take a read now (and if not, why). Lag columns are empty
 * until a health check measured them.
 */
final class ShowNodes implements AdminCommand {
    static final List<String> COLUMNS = List.of("node", "address", "role", "state", "lag_bytes", "lag_seconds", "weight",
            "select_count", "write_count", "outstanding", "eligible", "why_not");

    @Override
    public String pattern() {
        return "show\\s+nodes";
    }

    @Override
    public String help() {
        return "SHOW NODES: each node's role, state (up, down, draining), replication lag, weight, reads and writes"
                + " sent, and whether it takes reads now or why not";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        ProxyConfig config = proxy.config();
        Topology topology = proxy.backends().topology();
        List<List<String>> rows = new ArrayList<>();
        for (NodeState n : topology.nodes()) {
            ProxyConfig.Node node = n.node();
            String why = topology.whyNoReads(n, config);
            rows.add(List.of(n.name(), new HostPort(node.host(), node.port()).toString(), Key.label(node.role()), state(n),
                    n.lagBytes() < 0 ? "" : Long.toString(n.lagBytes()),
                    n.lagSeconds() < 0 ? "" : String.format(Locale.ROOT, "%.1f", n.lagSeconds()),
                    Integer.toString(node.weight()), Long.toString(n.reads()), Long.toString(n.writes()),
                    Integer.toString(n.outstanding()), Boolean.toString(why == null), why == null ? "" : why));
        }
        return CompletableFuture.completedFuture(AdminResult.table(COLUMNS, rows));
    }

    /** Down wins over draining: an operator who drained a node still needs to see that it failed. */
    private static String state(NodeState n) {
        if (!n.isUp()) {
            return "down";
        }
        return n.draining() ? "draining" : "up";
    }
}
