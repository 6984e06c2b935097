package io.pgherd.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * What {@code pgherd list} prints for a {@link ClusterState}: one row per member (sorted by name)
 * with its role as the cluster sees it, its lag behind the leader's last published position and,
 * when any member has one, its pending restart (marked {@code *} with the parameters), then a line
 * per member whose agent rejected parameters of the dynamic configuration, as a text table or as JSON. Pure functions of the state; thread-safe.
 */
final class ClusterTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterTable() {
    }

    /**
     * One member as listed.
     *
     * @param role {@code leader} (holds the key), {@code standby} (a failover candidate), {@code replica} (never promoted)
     *             or {@code spare} (a spare agent without data, waiting for the controller to assign it)
     * @param lagBytes bytes behind the leader's last published position; null for the leader, and when unknown
     *                 (the member is stopped or not in recovery, or the leader published no position yet)
     */
    record Row(Member member, String role, Long lagBytes) {
    }

    static List<Row> rows(ClusterState cluster) {
        List<Member> members = new ArrayList<>(cluster.members().values());
        members.sort(Comparator.comparing(Member::name));
        List<Row> rows = new ArrayList<>();
        for (Member m : members) {
            rows.add(new Row(m, role(cluster, m), lagBytes(cluster, m)));
        }
        return rows;
    }

    static String role(ClusterState cluster, Member m) {
        if (cluster.ledBy(m.name())) {
            return "leader";
        }
        if (ReadReplicas.SPARE.equals(m.role())) {
            return ReadReplicas.SPARE;
        }
        return m.noFailover() || m.role().equals("replica") ? "replica" : "standby";
    }

    static Long lagBytes(ClusterState cluster, Member m) {
        if (cluster.ledBy(m.name()) || cluster.lastLeaderPosition() <= 0 || !m.running() || !m.inRecovery()) {
            return null;
        }
        return Math.max(0, cluster.lastLeaderPosition() - m.position());
    }

    /** What a member the controller has not yet seen stream within the lag limit is told by (as the proxies' SHOW NODES). */
    static final String NOT_READY = "not ready: a new replica the controller has not yet seen stream within the lag limit;"
            + " the proxies send it no reads";

    /** {@link #text(String, ClusterState, Map)} without assignments (every member ready). */
    static String text(String name, ClusterState cluster) {
        return text(name, cluster, Map.of());
    }

    /**
     * The names of the new replicas not ready yet ({@link Assignment#awaitsStreaming}), sorted: those with a member
     * record and those without one yet (cloning, or starting).
     */
    static List<String> notReady(Map<String, Assignment> assignments) {
        return assignments.values().stream().filter(Assignment::awaitsStreaming).map(Assignment::member).sorted().toList();
    }

    /**
     * The table with a heading line, then the pending switchover, maintenance mode and a leader without a record, if
     * any. A member whose assignment in {@code assignments} is not ready yet is shown so (state {@code …, not ready}, and
     * a line saying why); one without a member record yet gets a row of its own.
     */
    static String text(String name, ClusterState cluster, Map<String, Assignment> assignments) {
        List<String> notReady = notReady(assignments);
        StringBuilder out = new StringBuilder();
        out.append("cluster ").append(name).append(": ")
                .append(cluster.leader().map(l -> "leader " + l.member()).orElse("no leader"))
                .append(cluster.synchronousStandby().map(s -> ", synchronous standby " + s).orElse(""))
                .append('\n');
        // Like patronictl, the column shows only when some member needs a restart.
        boolean pending = cluster.members().values().stream().anyMatch(Member::pendingRestart);
        List<List<String>> table = new ArrayList<>();
        table.add(columns(pending, List.of("MEMBER", "HOST", "ROLE", "STATE", "TL", "LAG (BYTES)"), "PENDING RESTART"));
        for (Row row : rows(cluster)) {
            Member m = row.member();
            table.add(columns(pending, List.of(m.name(), hostPort(m), row.role(), (m.state() == null || m.state().isEmpty() ? "-"
                    : m.state()) + (m.draining() ? ", draining" : "") + (notReady.contains(m.name()) ? ", not ready" : ""),
                    m.timeline() > 0 ? Integer.toString(m.timeline()) : "-",
                    row.role().equals("leader") ? "-" : row.lagBytes() == null ? "unknown" : Long.toString(row.lagBytes())),
                    !m.pendingRestart() ? "" : ("* " + String.join(", ", m.pendingRestartParameters())).strip()));
        }
        for (String member : notReady) {
            if (!cluster.members().containsKey(member)) {
                table.add(columns(pending, List.of(member, "-", "replica", "no record yet, not ready", "-", "unknown"), ""));
            }
        }
        out.append(Columns.format(table));
        if (cluster.members().isEmpty()) {
            out.append("no member has published a record in cluster ").append(name)
                    .append(" (no agent runs, or --cluster names another cluster)\n");
        }
        for (Row row : rows(cluster)) {
            Member m = row.member();
            if (!m.rejectedParameters().isEmpty()) {
                List<String> each = new ArrayList<>();
                m.rejectedParameters().forEach((parameter, why) -> each.add(parameter + " (" + why + ")"));
                out.append(m.name()).append(": rejected parameters: ").append(String.join("; ", each)).append('\n');
            }
        }
        for (String member : notReady) {
            out.append(member).append(": ").append(NOT_READY).append(cluster.members().containsKey(member) ? ""
                    : " (its agent has published no member record yet: it clones or starts)").append('\n');
        }
        cluster.leader().filter(l -> !cluster.members().containsKey(l.member())).ifPresent(l -> out
                .append("the leader key is held by ").append(l.member()).append(", which has published no member record\n"));
        cluster.switchover().ifPresent(s -> out.append("pending ").append(s.from().isEmpty() ? "failover" : "switchover")
                .append(": ").append(s.describe()).append('\n'));
        if (cluster.paused()) {
            out.append("maintenance mode: on (no automatic failover until 'pgherd resume')\n");
        }
        return out.toString();
    }

    /** {@link #json(String, ClusterState, Map)} without assignments (every member ready). */
    static ObjectNode json(String name, ClusterState cluster) {
        return json(name, cluster, Map.of());
    }

    /**
     * The same facts as JSON: {@code cluster}, {@code leader}, {@code paused}, {@code members} (each {@code ready} or
     * not, and {@code recorded}: whether it has a member record; one without has only its name, role, state null,
     * {@code running} and {@code ready} false), {@code switchover}, ....
     */
    static ObjectNode json(String name, ClusterState cluster, Map<String, Assignment> assignments) {
        List<String> notReady = notReady(assignments);
        ObjectNode out = JSON.createObjectNode();
        out.put("cluster", name);
        putOrNull(out, "leader", cluster.leader().map(ClusterState.Leader::member).orElse(null));
        out.put("paused", cluster.paused());
        if (cluster.lastLeaderPosition() > 0) {
            out.put("last_leader_position", cluster.lastLeaderPosition());
        } else {
            out.putNull("last_leader_position");
        }
        putOrNull(out, "synchronous_standby", cluster.synchronousStandby().orElse(null));
        ArrayNode members = out.putArray("members");
        for (Row row : rows(cluster)) {
            Member m = row.member();
            ObjectNode member = members.addObject();
            member.put("name", m.name());
            putOrNull(member, "host", m.host());
            member.put("port", m.port());
            member.put("role", row.role());
            putOrNull(member, "state", m.state());
            member.put("running", m.running());
            member.put("draining", m.draining());
            member.put("timeline", m.timeline());
            member.put("position", m.position());
            if (row.lagBytes() == null) {
                member.putNull("lag_bytes");
            } else {
                member.put("lag_bytes", row.lagBytes());
            }
            putOrNull(member, "following", m.following());
            member.put("pending_restart", m.pendingRestart());
            m.pendingRestartParameters().forEach(member.putArray("pending_restart_parameters")::add);
            m.rejectedParameters().forEach(member.putObject("rejected_parameters")::put);
            putOrNull(member, "api_url", m.apiUrl());
            member.put("ready", !notReady.contains(m.name()));
            member.put("recorded", true);
        }
        for (String absent : notReady) {
            if (!cluster.members().containsKey(absent)) {
                ObjectNode member = members.addObject();
                member.put("name", absent);
                member.put("role", "replica");
                member.putNull("state");
                member.put("running", false);
                member.put("draining", assignments.get(absent).draining());
                member.put("ready", false);
                member.put("recorded", false);
            }
        }
        if (cluster.switchover().isPresent()) {
            ClusterState.Switchover s = cluster.switchover().get();
            ObjectNode switchover = out.putObject("switchover");
            putOrNull(switchover, "from", s.from());
            putOrNull(switchover, "to", s.to());
            putOrNull(switchover, "scheduled_at", s.notBeforeMillis() > 0 ? Instant.ofEpochMilli(s.notBeforeMillis()).toString() : null);
        } else {
            out.putNull("switchover");
        }
        return out;
    }

    private static List<String> columns(boolean pending, List<String> cells, String pendingCell) {
        if (!pending) {
            return cells;
        }
        List<String> out = new ArrayList<>(cells);
        out.add(pendingCell);
        return out;
    }

    private static String hostPort(Member m) {
        if (m.host() == null || m.host().isEmpty()) {
            return "-";
        }
        return (m.host().contains(":") ? "[" + m.host() + "]" : m.host()) + ":" + m.port();
    }

    private static void putOrNull(ObjectNode out, String field, String value) {
        if (value == null || value.isEmpty()) {
            out.putNull(field);
        } else {
            out.put(field, value);
        }
    }
}
