package io.pgherd.agent.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the member's state in the Prometheus text format (version 0.0.4), every
 * metric a gauge labelled with {@code cluster} and {@code member}. Answers from the agent's last
 * cycle only. Thread-safe.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final String member;
    private final String labels;
    private final Supplier<NodeState> state;
    private final HealthChecks health;

    Metrics(String member, String scope, Supplier<NodeState> state, HealthChecks health) {
        this.member = member;
        this.labels = "{cluster=\"" + escape(scope) + "\",member=\"" + escape(member) + "\"}";
        this.state = state;
        this.health = health;
    }

    Response render(Request request) {
        NodeState s = state.get();
        NodeState.Postgres pg = s.postgres();
        StringBuilder out = new StringBuilder(2048);
        gauge(out, "pgherd_agent_up", "1 if the agent's loop ran within the TTL, 0 otherwise.", bit(health.isLive(s)));
        gauge(out, "pgherd_agent_is_leader",
                "1 if this member held the leader key when the DCS last answered, in the last cycle; 0 otherwise.",
                bit(s.dcsReachable() && s.holdsKey(member)));
        gauge(out, "pgherd_agent_postgres_running", "1 if PostgreSQL runs, 0 otherwise.", bit(pg.running()));
        gauge(out, "pgherd_agent_in_recovery", "1 if PostgreSQL runs as a standby, 0 otherwise.",
                bit(pg.running() && pg.inRecovery()));
        gauge(out, "pgherd_agent_timeline", "PostgreSQL's timeline (0 when it is stopped).", pg.running() ? pg.timeline() : 0);
        gauge(out, "pgherd_agent_wal_position_bytes",
                "Current WAL position of a primary, last received one of a standby (0 when stopped).",
                pg.running() ? pg.position() : 0);
        gauge(out, "pgherd_agent_replayed_position_bytes", "Last replayed WAL position of a standby (0 otherwise).",
                pg.running() && pg.inRecovery() ? pg.replayed() : 0);
        gauge(out, "pgherd_agent_dcs_reachable", "1 if the DCS answered in the agent's last cycle, 0 otherwise.",
                bit(s.dcsReachable()));
        gauge(out, "pgherd_agent_pending_restart", "1 if PostgreSQL runs with a parameter change that needs a restart, 0 otherwise.",
                bit(pg.running() && !pg.pendingRestart().isEmpty()));
        gauge(out, "pgherd_config_rejected_parameters", "Number of parameters of the dynamic configuration the agent did not"
                + " write because PostgreSQL refuses them (unknown name, invalid value); 0 when none.",
                pg.rejectedParameters().size());
        return new Response(200, CONTENT_TYPE, out.toString().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static long bit(boolean b) {
        return b ? 1 : 0;
    }

    /** A label value as the text format wants it: backslash, quote and newline escaped. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
