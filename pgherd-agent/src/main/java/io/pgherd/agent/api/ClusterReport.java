package io.pgherd.agent.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.DcsException;

/**
 * {@code GET /cluster} and {@code GET /history}: the cluster as the DCS shows it now (one read per
 * request, so a CLI sees a switchover at once), in the shape of Patroni's answers. 503 when the DCS
 * does not answer. Thread-safe.
 */
final class ClusterReport {
    private final ClusterStore store;

    ClusterReport(ClusterStore store) {
        this.store = store;
    }

    Response cluster(Request request) {
        ClusterState cluster;
        try {
            cluster = ClusterState.of(store.read());
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer: " + e.getMessage());
        }
        return Response.json(200, describe(cluster));
    }

    Response history(Request request) {
        History history;
        try {
            history = store.history();
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer: " + e.getMessage());
        }
        return Response.json(200, ClusterJson.tree(history));
    }

    /** The {@code /cluster} document: members sorted by name, leader, pause flag, pending switchover. */
    ObjectNode describe(ClusterState cluster) {
        ObjectNode out = Response.JSON.createObjectNode();
        out.put("scope", store.keys().cluster());
        if (cluster.leader().isPresent()) {
            out.put("leader", cluster.leader().get().member());
            out.put("epoch", cluster.leader().get().epoch());
        } else {
            out.putNull("leader");
        }
        out.put("paused", cluster.paused());
        if (cluster.lastLeaderPosition() > 0) {
            out.put("last_leader_position", cluster.lastLeaderPosition());
        } else {
            out.putNull("last_leader_position");
        }
        cluster.synchronousStandby().ifPresent(name -> out.put("synchronous_standby", name));
        ArrayNode members = out.putArray("members");
        List<Member> sorted = new ArrayList<>(cluster.members().values());
        sorted.sort(Comparator.comparing(Member::name));
        for (Member m : sorted) {
            members.add(member(cluster, m));
        }
        cluster.switchover().ifPresent(s -> {
            ObjectNode switchover = out.putObject("switchover");
            putOrNull(switchover, "from", s.from());
            putOrNull(switchover, "to", s.to());
            if (s.notBeforeMillis() > 0) {
                switchover.put("scheduled_at", Instant.ofEpochMilli(s.notBeforeMillis()).toString());
            } else {
                switchover.putNull("scheduled_at");
            }
        });
        return out;
    }

    private static ObjectNode member(ClusterState cluster, Member m) {
        ObjectNode out = Response.JSON.createObjectNode();
        boolean leader = cluster.ledBy(m.name());
        boolean sync = cluster.synchronousStandby().filter(m.name()::equals).isPresent();
        out.put("name", m.name());
        out.put("role", leader ? "leader" : sync ? "sync_standby" : m.role());
        out.put("state", m.state());
        out.put("host", m.host());
        out.put("port", m.port());
        out.put("api_url", m.apiUrl());
        out.put("timeline", m.timeline());
        out.put("position", m.position());
        if (!leader) {
            putLag(out, "lag", cluster, m, m.position());
            putLag(out, "replay_lag", cluster, m, m.replayed());
            putOrNull(out, "following", m.following());
        }
        if (m.pendingRestart()) {
            out.put("pending_restart", true);
            m.pendingRestartParameters().forEach(out.putArray("pending_restart_parameters")::add);
        }
        if (!m.rejectedParameters().isEmpty()) {
            m.rejectedParameters().forEach(out.putObject("rejected_parameters")::put);
        }
        ObjectNode tags = out.putObject("tags");
        tags.put("nofailover", m.noFailover());
        tags.put("failover_priority", m.failoverPriority());
        return out;
    }

    /** Bytes behind the leader's last published position; null when unknown (stopped, or no position yet). */
    private static void putLag(ObjectNode out, String field, ClusterState cluster, Member m, long position) {
        if (cluster.lastLeaderPosition() > 0 && m.running() && m.inRecovery()) {
            out.put(field, Math.max(0, cluster.lastLeaderPosition() - position));
        } else {
            out.putNull(field);
        }
    }

    private static void putOrNull(ObjectNode out, String field, String value) {
        if (value == null || value.isEmpty()) {
            out.putNull(field);
        } else {
            out.put(field, value);
        }
    }
}
