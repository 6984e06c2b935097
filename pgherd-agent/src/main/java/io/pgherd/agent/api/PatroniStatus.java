package io.pgherd.agent.api;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Member;

/**
 * The fields of Patroni 3's status document ({@code GET /patroni}, and the body of every health check),
 * named and valued as Patroni 3.x does, so scripts written for it ({@code curl -s host:8008 | jq .role})
 * work unchanged: {@code state} ({@code running}, {@code starting}, {@code stopped}), {@code
 * postmaster_start_time}, {@code role} ({@code master} or {@code replica}, as in Patroni 3; {@code
 * unknown} while PostgreSQL is stopped), {@code server_version}, {@code xlog} ({@code location} on the
 * primary; {@code received_location}, {@code replayed_location}, {@code replayed_timestamp}, {@code paused}
 * on a standby), {@code timeline}, {@code replication}, {@code replication_state}, {@code sync_standby},
 * {@code cluster_unlocked}, {@code dcs_last_seen}, {@code tags}, {@code database_system_identifier},
 * {@code pending_restart}, {@code pause}, {@code patroni} ({@code version}, {@code scope}, {@code name}).
 * Fields PostgreSQL must be asked for ({@link ServerFacts}) are left out while it does not answer, as
 * Patroni leaves them out. Pure.
 */
final class PatroniStatus {
    /** Patroni 3's name for the primary's role (Patroni 4 renamed it {@code primary}). */
    static final String PRIMARY_ROLE = "master";

    private PatroniStatus() {
    }

    /**
     * Patroni's status document of {@code member} in cluster {@code scope}.
     *
     * @param version pgherd's version, for {@code patroni.version}
     */
    static ObjectNode document(NodeState s, String member, String scope, String version, Optional<ServerFacts> facts) {
        NodeState.Postgres pg = s.postgres();
        // A server that runs but has not answered yet (no timeline) is still starting.
        boolean answering = pg.running() && pg.timeline() > 0;
        Optional<ServerFacts> f = answering ? facts : Optional.empty();
        ObjectNode out = Response.JSON.createObjectNode();
        out.put("state", answering ? "running" : pg.running() ? "starting" : "stopped");
        f.ifPresent(x -> out.put("postmaster_start_time", x.postmasterStartTime()));
        out.put("role", !answering ? "unknown" : pg.inRecovery() ? "replica" : PRIMARY_ROLE);
        f.ifPresent(x -> out.put("server_version", x.serverVersion()));
        if (answering) {
            ObjectNode xlog = out.putObject("xlog");
            if (pg.inRecovery()) {
                xlog.put("received_location", pg.position());
                xlog.put("replayed_location", pg.replayed());
                f.ifPresent(x -> {
                    if (x.replayedTimestamp() == null) {
                        xlog.putNull("replayed_timestamp");
                    } else {
                        xlog.put("replayed_timestamp", x.replayedTimestamp());
                    }
                    xlog.put("paused", x.replayPaused());
                });
            } else {
                xlog.put("location", pg.position());
            }
            out.put("timeline", pg.timeline());
            f.filter(x -> !x.replication().isEmpty()).ifPresent(x -> replication(out.putArray("replication"), x));
            if (pg.inRecovery()) {
                f.ifPresent(x -> out.put("replication_state", x.streaming() ? "streaming" : "in archive recovery"));
                if (isSynchronousStandby(s, member)) {
                    out.put("sync_standby", true);
                }
            }
        }
        if (s.leader().isEmpty()) {
            out.put("cluster_unlocked", true);
        }
        if (s.dcsLastSeenMillis() > 0) {
            out.put("dcs_last_seen", s.dcsLastSeenMillis() / 1000);
        }
        tags(s, member).ifPresent(t -> out.set("tags", t));
        f.ifPresent(x -> out.put("database_system_identifier", x.systemIdentifier()));
        if (pg.running() && !pg.pendingRestart().isEmpty()) {
            out.put("pending_restart", true);
        }
        if (s.cluster().isPresent() && s.cluster().get().paused()) {
            out.put("pause", true);
        }
        ObjectNode patroni = out.putObject("patroni");
        patroni.put("version", version);
        patroni.put("scope", scope);
        patroni.put("name", member);
        return out;
    }

    /** Whether {@code member} is the synchronous standby the {@code sync} key names and a running standby. */
    static boolean isSynchronousStandby(NodeState s, String member) {
        return s.isReplica(member) && s.cluster().flatMap(ClusterState::synchronousStandby).filter(member::equals).isPresent();
    }

    private static void replication(ArrayNode rows, ServerFacts facts) {
        for (ServerFacts.Replication r : facts.replication()) {
            ObjectNode row = rows.addObject();
            row.put("usename", r.usename());
            row.put("application_name", r.applicationName());
            row.put("client_addr", r.clientAddr());
            row.put("state", r.state());
            row.put("sync_state", r.syncState());
            row.put("sync_priority", r.syncPriority());
        }
    }

    /** Patroni's {@code tags}: those set on this member's own record (none: no field). */
    private static Optional<ObjectNode> tags(NodeState s, String member) {
        Optional<Member> me = s.cluster().map(c -> c.members().get(member));
        if (me.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode tags = Response.JSON.createObjectNode();
        if (me.get().noFailover()) {
            tags.put("nofailover", true);
        }
        if (me.get().noLoadBalance()) {
            tags.put("noloadbalance", true);
        }
        if (me.get().cloneFrom()) {
            tags.put("clonefrom", true);
        }
        if (me.get().failoverPriority() != 1) {
            tags.put("failover_priority", me.get().failoverPriority());
        }
        return tags.isEmpty() ? Optional.empty() : Optional.of(tags);
    }
}
