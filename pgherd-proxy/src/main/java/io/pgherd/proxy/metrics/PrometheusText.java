package io.pgherd.proxy.metrics;

import java.util.Map;

import io.pgherd.proxy.Proxy;
import io.pgherd.proxy.ProxyStats;
import io.pgherd.proxy.backend.Pool;

/** The proxy's counters in the Prometheus text exposition format (version 0.0.4). */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static String render(Proxy proxy) {
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
        out.append("# HELP pgherd_servers server connections by pool and state\n# TYPE pgherd_servers gauge\n");
        out.append("# HELP pgherd_pool_waiting clients waiting for a server connection\n");
        out.append("# HELP pgherd_pool_wait_seconds_total time clients waited for a server connection\n");
        for (Pool pool : proxy.pools()) {
            Pool.Snapshot p = pool.snapshot();
            String labels = "node=\"" + esc(p.key().node()) + "\",database=\"" + esc(p.key().database()) + "\",user=\""
                    + esc(p.key().user()) + "\"";
            out.append("pgherd_servers{").append(labels).append(",state=\"active\"} ").append(p.active()).append('\n');
            out.append("pgherd_servers{").append(labels).append(",state=\"idle\"} ").append(p.idle()).append('\n');
            out.append("pgherd_servers{").append(labels).append(",state=\"login\"} ").append(p.connecting()).append('\n');
            out.append("pgherd_pool_waiting{").append(labels).append("} ").append(p.waiting()).append('\n');
            out.append("pgherd_pool_wait_seconds_total{").append(labels).append("} ")
                    .append(p.waitNanos() / 1e9).append('\n');
        }
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void labelled(StringBuilder out, String name, String help, String label, Map<String, Long> values) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        values.forEach((k, v) -> out.append(name).append('{').append(label).append("=\"").append(esc(k)).append("\"} ")
                .append(v).append('\n'));
    }

    private static String esc(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
