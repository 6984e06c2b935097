package io.pgherd.proxy.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import io.pgherd.common.config.Key;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.Route;
import io.pgherd.proxy.stats.ProxyStats;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.proxy.topology.Topology;

/**
 * The proxy's counters in the Prometheus text exposition format (version 0.0.4): each metric's
 * samples follow its HELP and TYPE lines as one group. Node metrics carry a {@code node} label
 * ({@code pgherd_node_up} also {@code role}); a lag not measured yet is left out rather than shown
 * as a number.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static String render(MetricsSource proxy) {
        StringBuilder out = new StringBuilder(4096);
        ProxyStats s = proxy.stats();
        gauge(out, "pgherd_clients", "client connections open", proxy.clientCount());
        counter(out, "pgherd_clients_accepted_total", "client connections that completed startup", s.clientsAccepted.sum());
        counter(out, "pgherd_queries_total", "simple queries and extended-protocol syncs from clients", s.queries.sum());
        counter(out, "pgherd_transactions_total", "transactions after which a server went back to its pool", s.transactions.sum());
        counter(out, "pgherd_client_bytes_received_total", "bytes received from clients", s.bytesFromClients.sum());
        counter(out, "pgherd_client_bytes_sent_total", "bytes sent to clients", s.bytesToClients.sum());
        counter(out, "pgherd_session_state_restores_total", "times a client's session state was restored on a server",
                s.serverStateRestores.sum());
        counter(out, "pgherd_server_replays_total", "transactions re-run on another server after theirs died unanswered",
                s.serverReplays.sum());
        labelled(out, "pgherd_errors_total", "errors sent to clients", "sqlstate", s.errorsBySqlState());
        labelled(out, "pgherd_client_closes_total", "client connections closed", "reason", s.clientClosesByReason());
        List<Pool.Snapshot> pools = proxy.pools().stream().map(Pool::snapshot).toList();
        header(out, "pgherd_servers", "server connections by pool and state", "gauge");
        for (Pool.Snapshot p : pools) {
            String labels = poolLabels(p);
            out.append("pgherd_servers{").append(labels).append(",state=\"active\"} ").append(p.active()).append('\n');
            out.append("pgherd_servers{").append(labels).append(",state=\"idle\"} ").append(p.idle()).append('\n');
            out.append("pgherd_servers{").append(labels).append(",state=\"login\"} ").append(p.connecting()).append('\n');
        }
        header(out, "pgherd_pool_waiting", "clients waiting for a server connection", "gauge");
        for (Pool.Snapshot p : pools) {
            out.append("pgherd_pool_waiting{").append(poolLabels(p)).append("} ").append(p.waiting()).append('\n');
        }
        header(out, "pgherd_pool_wait_seconds_total", "time clients waited for a server connection", "counter");
        for (Pool.Snapshot p : pools) {
            out.append("pgherd_pool_wait_seconds_total{").append(poolLabels(p)).append("} ")
                    .append(p.waitNanos() / 1e9).append('\n');
        }
        nodes(out, proxy);
        header(out, "pgherd_routed_total", "routing decisions (a statement or batch sent somewhere) by target and the rule"
                + " that decided", "counter");
        for (Route.Target target : Route.Target.values()) {
            for (Route.Reason reason : Route.Reason.values()) {
                long count = s.routedCount(target, reason);
                if (count > 0) {
                    out.append("pgherd_routed_total{target=\"").append(target.name().toLowerCase(Locale.ROOT))
                            .append("\",reason=\"").append(reason.name().toLowerCase(Locale.ROOT)).append("\"} ")
                            .append(count).append('\n');
                }
            }
        }
        counter(out, "pgherd_retries_on_primary_total", "statements a replica refused as writes (SQLSTATE 25006), run"
                + " again on the primary", s.retriesOnPrimary.sum());
        counter(out, "pgherd_causal_waits_total", "reads that waited for a replica to replay past the client's causal token",
                s.causalWaits.sum());
        counter(out, "pgherd_write_holds_total", "transactions held while the followed cluster had no confirmed writable"
                + " primary (failover, switchover, DCS unreachable)", s.writeHolds.sum());
        return out.toString();
    }

    /** One line per node of the topology, in configuration order; a node whose value is null (not measured yet) is left out. */
    private static void nodes(StringBuilder out, MetricsSource proxy) {
        Topology topology = proxy.backends().topology();
        List<NodeState> nodes = topology.nodes();
        ProxyConfig config = proxy.config();
        header(out, "pgherd_node_up", "whether the node answers (its last health check passed and no session saw it fail since)",
                "gauge");
        for (NodeState n : nodes) {
            out.append("pgherd_node_up{node=\"").append(esc(n.name())).append("\",role=\"").append(Key.label(n.node().role()))
                    .append("\"} ").append(n.isUp() ? 1 : 0).append('\n');
        }
        node(out, nodes, "pgherd_node_lag_bytes", "bytes of WAL the node has yet to replay, as last checked", "gauge",
                n -> n.lagBytes() < 0 ? null : n.lagBytes());
        node(out, nodes, "pgherd_node_lag_seconds", "how far the node's replay is behind the primary, in seconds, as last"
                + " checked", "gauge", n -> n.lagSeconds() < 0 ? null : n.lagSeconds());
        node(out, nodes, "pgherd_node_reads_total", "reads sent to the node", "counter", NodeState::reads);
        node(out, nodes, "pgherd_node_writes_total", "writes (and everything not provably read-only) sent to the node",
                "counter", NodeState::writes);
        node(out, nodes, "pgherd_node_outstanding", "sessions linked to a server of the node now", "gauge",
                NodeState::outstanding);
        node(out, nodes, "pgherd_node_eligible", "whether the node may take a read now (1) or not (0; SHOW NODES says why)",
                "gauge", n -> topology.whyNoReads(n, config) == null ? 1 : 0);
        node(out, nodes, "pgherd_node_draining", "whether an operator drains the node (DRAIN)", "gauge",
                n -> n.drainedByOperator() ? 1 : 0);
        node(out, nodes, "pgherd_node_cluster_draining", "whether the followed cluster drains the node (DCS)", "gauge",
                n -> n.drainedByCluster() ? 1 : 0);
        node(out, nodes, "pgherd_node_failures_total", "times the node was taken out of rotation after a failure", "counter",
                NodeState::failures);
    }

    private static void node(StringBuilder out, List<NodeState> nodes, String name, String help, String type,
                             Function<NodeState, Number> value) {
        header(out, name, help, type);
        for (NodeState n : nodes) {
            Number v = value.apply(n);
            if (v != null) {
                out.append(name).append("{node=\"").append(esc(n.name())).append("\"} ").append(v).append('\n');
            }
        }
    }

    private static String poolLabels(Pool.Snapshot p) {
        return "node=\"" + esc(p.key().node()) + "\",database=\"" + esc(p.key().database()) + "\",user=\""
                + esc(p.key().user()) + "\"";
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ')
                .append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "gauge");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void labelled(StringBuilder out, String name, String help, String label, Map<String, Long> values) {
        header(out, name, help, "counter");
        values.forEach((k, v) -> out.append(name).append('{').append(label).append("=\"").append(esc(k)).append("\"} ")
                .append(v).append('\n'));
    }

    private static String esc(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
