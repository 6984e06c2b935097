package io.pgherd.agent.api;

import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.DcsException;

/**
 * The switchover and failover endpoints (the server authenticates before calling them): requests
 * and their cancellation.
 * A request is validated against the cluster as the DCS shows it now, then recorded in the DCS,
 * where the agents act on it (Patroni's codes: 400 for a malformed request, 412 when the cluster
 * does not allow it, 503 when the DCS does not answer). Thread-safe.
 */
final class ClusterRequests {
    private static final Logger log = LoggerFactory.getLogger(ClusterRequests.class);
    private static final ObjectReader STRICT = Response.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** ISO-8601 local date and time with an offset in any of its usual spellings ({@code Z}, {@code +02}, {@code +0200}, {@code +02:00}). */
    private final String member;
    private final ClusterStore store;
    private final Clock clock;

    ClusterRequests(String member, ClusterStore store, Clock clock) {
        this.member = member;
        this.store = store;
        this.clock = clock;
    }

    /** A request the client must fix: answered 400 with the message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code POST /switchover {"leader": ..., "candidate": ..., "scheduled_at": ...}}: 200, or 202 when scheduled. */
    Response switchover(Request request) {
        String leader;
        String candidate;
        long notBefore = 0;
        try {
            ObjectNode body = object(request);
            leader = string(body, "leader");
            candidate = string(body, "candidate");
            String scheduled = string(body, "scheduled_at");
            if (leader.isEmpty()) {
                throw new BadRequest("a switchover needs the current leader's name in \"leader\"");
            }
            if (!scheduled.isEmpty()) {
                Instant at = scheduledAt(scheduled);
                if (!at.isAfter(clock.instant())) {
                    return Response.text(422, "pgherd: cannot schedule a switchover in the past (scheduled_at " + at
                            + ", now " + clock.instant() + ")");
                }
                notBefore = at.toEpochMilli();
            }
        } catch (BadRequest e) {
            return Response.text(400, "pgherd: " + e.getMessage());
        }
        return record("switchover", leader, candidate, notBefore, request);
    }

    /**
     * {@code POST /failover {"candidate": ...}}: moves the key to the candidate whether or not there
     * is a leader. With a {@code leader} field it is a switchover (as in Patroni).
     */
    Response failover(Request request) {
        String leader;
        String candidate;
        try {
            ObjectNode body = object(request);
            leader = string(body, "leader");
            candidate = string(body, "candidate");
            if (candidate.isEmpty()) {
                throw new BadRequest("a failover needs the member to promote in \"candidate\"");
            }
            if (!string(body, "scheduled_at").isEmpty()) {
                throw new BadRequest("a failover cannot be scheduled; schedule a switchover instead");
            }
        } catch (BadRequest e) {
            return Response.text(400, "pgherd: " + e.getMessage());
        }
        return record(leader.isEmpty() ? "failover" : "switchover", leader, candidate, 0, request);
    }

    /** {@code DELETE /switchover}: cancels the pending request; 404 when there is none. */
    Response cancelSwitchover(Request request) {
        try {
            Optional<ClusterState.Switchover> pending = ClusterState.of(store.read()).switchover();
            if (pending.isEmpty()) {
                return Response.text(404, "pgherd: no switchover is pending");
            }
            store.clearSwitchover();
            log.info("{}: REST API: {} cancelled the pending switchover ({})", member, request.remote(), pending.get().describe());
            return Response.text(200, "pending switchover cancelled (" + pending.get().describe() + ")");
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer: " + e.getMessage());
        }
    }

    /** Validates a switchover or failover against the cluster as the DCS shows it now, then records it. */
    private Response record(String kind, String leader, String candidate, long notBefore, Request request) {
        ClusterState cluster;
        try {
            cluster = ClusterState.of(store.read());
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer: " + e.getMessage());
        }
        Optional<Response> refusal = refusal(kind, cluster, leader, candidate);
        if (refusal.isPresent()) {
            return refusal.get();
        }
        try {
            store.requestSwitchover(leader, candidate, notBefore);
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer (the " + kind + " may or may not have been requested): "
                    + e.getMessage());
        }
        ClusterState.Switchover recorded = new ClusterState.Switchover(leader, candidate, notBefore);
        log.info("{}: REST API: {} requested a {} ({})", member, request.remote(), kind, recorded.describe());
        if (notBefore > 0) {
            return Response.text(202, kind + " scheduled (" + recorded.describe() + ")");
        }
        return Response.text(200, kind + " requested (" + recorded.describe() + "); the leader's agent acts on it in its"
                + " next cycle");
    }

    private static Optional<Response> refusal(String kind, ClusterState cluster, String leader, String candidate) {
        if (cluster.paused()) {
            return refuse(412, "maintenance mode is on and the agents do not act on a " + kind + " while it is;"
                    + " resume first (PATCH /config {\"pause\": false})");
        }
        if (cluster.switchover().isPresent()) {
            return refuse(409, "a switchover is already pending (" + cluster.switchover().get().describe()
                    + "); cancel it first with DELETE /switchover");
        }
        Optional<String> current = cluster.leader().map(ClusterState.Leader::member);
        if (!leader.isEmpty()) {
            if (current.isEmpty()) {
                return refuse(412, "the cluster has no leader, so there is nothing to switch over from (got leader "
                        + leader + "); ask for a failover to a candidate instead");
            }
            if (!current.get().equals(leader)) {
                return refuse(412, "leader name does not match: the leader is " + current.get() + " (got " + leader + ")");
            }
        }
        Optional<String> sync = cluster.synchronousStandby();
        if (!candidate.isEmpty()) {
            Member m = cluster.members().get(candidate);
            if (m == null) {
                return refuse(412, "candidate " + candidate + " does not exist (members: "
                        + String.join(", ", new TreeSet<>(cluster.members().keySet())) + ")");
            }
            if (cluster.ledBy(candidate)) {
                return refuse(412, "candidate " + candidate + " already holds the leader key");
            }
            if (m.noFailover() || m.role().equals("replica")) {
                return refuse(412, "candidate " + candidate + " is a read replica (nofailover): it is never promoted");
            }
            if (!m.running()) {
                return refuse(412, "candidate " + candidate + " is not running (state " + m.state() + ")");
            }
            if (!m.inRecovery()) {
                return refuse(412, "candidate " + candidate + " is not a standby: it runs as a primary");
            }
            if (kind.equals("switchover") && sync.isPresent() && !sync.get().equals(candidate)) {
                return refuse(412, "in synchronous mode only the synchronous standby " + sync.get()
                        + " may take over (got candidate " + candidate + ")");
            }
            return Optional.empty();
        }
        boolean anyCandidate = cluster.members().values().stream().anyMatch(m -> !cluster.ledBy(m.name()) && !m.noFailover()
                && !m.role().equals("replica") && m.running() && m.inRecovery()
                && (sync.isEmpty() || sync.get().equals(m.name())));
        if (!anyCandidate) {
            return refuse(412, kind + " is not possible: no running standby may take over"
                    + sync.map(s -> " (in synchronous mode only the synchronous standby " + s + " may)").orElse(""));
        }
        return Optional.empty();
    }

    private static Optional<Response> refuse(int status, String message) {
        return Optional.of(Response.text(status, "pgherd: " + message));
    }

    /** Parses {@code scheduled_at}; see {@link ClusterState.Switchover#parseTime}. */
    static Instant scheduledAt(String text) {
        try {
            return ClusterState.Switchover.parseTime(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("scheduled_at " + e.getMessage());
        }
    }

    /** The request's body as a JSON object; {@link BadRequest} when it is empty or anything else. */
    static ObjectNode object(Request request) {
        if (request.body().length == 0) {
            throw new BadRequest("the body must be a JSON object, and it is empty");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(request.body());
        } catch (IOException e) {
            throw new BadRequest("the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("the body must be a JSON object (got " + (node == null || node.isMissingNode() ? "nothing"
                    : node.getNodeType().toString().toLowerCase(Locale.ROOT)) + ")");
        }
        return (ObjectNode) node;
    }

    /** A string field; empty when absent or null. */
    private static String string(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new BadRequest("\"" + field + "\" must be a string (got " + value + ")");
        }
        return value.textValue().strip();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
