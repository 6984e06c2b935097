package io.pgherd.controller.api;

import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.cluster.Spec;
import io.pgherd.controller.metrics.ControllerStatus;

/**
 * The body of {@code GET /api/v1/cluster}: the members with the role the cluster gives them, their state, timeline,
 * lag, draining and ready flags; the proxies, the spares, the controllers and the desired against the running read
 * replicas — what {@code pgherd list} shows, as JSON. Pure.
 */
final class ClusterView {
    private static final String SPARE = "spare";

    private ClusterView() {
    }

    /**
     * @param name       the cluster's name
     * @param acting     the acting controller as the DCS names it, and its epoch
     * @param answeredBy the controller answering
     */
    static ObjectNode of(String name, ClusterSnapshot snapshot, Optional<String> acting, OptionalLong epoch,
                         ControllerStatus answeredBy) {
        ClusterState cluster = ClusterState.of(snapshot);
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode out = json.objectNode();
        out.put("cluster", name);
        out.put("leader", cluster.leader().map(ClusterState.Leader::member).orElse(null));
        out.put("paused", cluster.paused());
        out.put("synchronous_standby", cluster.synchronousStandby().orElse(null));
        ArrayNode members = out.putArray("members");
        ArrayNode spares = json.arrayNode();
        for (Member m : snapshot.members().values()) {
            String role = role(cluster, m);
            Optional<Assignment> assignment = snapshot.assignment(m.name());
            ObjectNode member = members.addObject();
            member.put("name", m.name());
            member.put("role", role);
            member.put("state", m.state());
            member.put("host", m.host());
            member.put("port", m.port());
            member.put("timeline", m.timeline());
            Long lag = lagBytes(cluster, m);
            if (lag == null) {
                member.putNull("lag_bytes");
            } else {
                member.put("lag_bytes", lag);
            }
            member.put("draining", m.draining() || assignment.map(Assignment::draining).orElse(false));
            member.put("ready", m.running() && assignment.map(a -> !a.awaitsStreaming()).orElse(true));
            member.put("pending_restart", m.pendingRestart());
            if (role.equals(SPARE)) {
                spares.add(m.name());
            }
        }
        ArrayNode proxies = out.putArray("proxies");
        for (ProxyRecord p : snapshot.proxies().values()) {
            proxies.addObject().put("name", p.name());
        }
        out.set("spares", spares);
        ObjectNode controllers = out.putObject("controllers");
        controllers.put("acting", acting.orElse(null));
        if (epoch.isPresent()) {
            controllers.put("epoch", epoch.getAsLong());
        } else {
            controllers.putNull("epoch");
        }
        controllers.put("answered_by", answeredBy.name());
        ControllerStatus.Replicas counted = ControllerStatus.Replicas.of(snapshot);
        ObjectNode replicas = out.putObject("read_replicas");
        Optional<Integer> desired = snapshot.spec().map(Spec::readReplicas);
        if (desired.isPresent()) {
            replicas.put("desired", desired.get());
        } else {
            replicas.putNull("desired");
        }
        replicas.put("running", counted.running());
        replicas.put("draining", counted.draining());
        out.set("switchover", cluster.switchover().map(s -> (ObjectNode) json.objectNode().put("from", s.from())
                .put("to", s.to()).put("summary", s.describe())).orElse(null));
        return out;
    }

    /** {@code leader}, {@code spare}, {@code replica} (never promoted) or {@code standby}, as {@code pgherd list} says. */
    static String role(ClusterState cluster, Member m) {
        if (cluster.ledBy(m.name())) {
            return "leader";
        }
        if (SPARE.equals(m.role())) {
            return SPARE;
        }
        return m.noFailover() || m.role().equals("replica") ? "replica" : "standby";
    }

    /** Bytes behind the leader's last published position; null for the leader, a stopped member or when unknown. */
    static Long lagBytes(ClusterState cluster, Member m) {
        if (cluster.ledBy(m.name()) || cluster.lastLeaderPosition() <= 0 || !m.running() || !m.inRecovery()) {
            return null;
        }
        return Math.max(0, cluster.lastLeaderPosition() - m.position());
    }
}
