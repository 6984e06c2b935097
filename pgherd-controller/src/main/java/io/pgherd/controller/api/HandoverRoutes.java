package io.pgherd.controller.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.HandlerType;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.requests.SwitchoverRequest;

/**
 * {@code POST /switchover}, {@code POST /failover} (the checks of {@code pgherd switchover} and {@code failover},
 * the same {@code failover} key written; answered 202 once written: {@code GET /cluster} shows the new leader), and
 * maintenance mode: {@code POST /pause}, {@code POST /resume}.
 */
final class HandoverRoutes {
    private static final String MEMBER = "a member's name";
    private final ApiServices services;

    HandoverRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.change(HandlerType.POST, "/switchover", Role.OPERATOR, this::switchover),
                Route.change(HandlerType.POST, "/failover", Role.OPERATOR, this::failover),
                Route.change(HandlerType.POST, "/pause", Role.OPERATOR, call -> maintenance(true)),
                Route.change(HandlerType.POST, "/resume", Role.OPERATOR, call -> maintenance(false)));
    }

    private Reply switchover(Call call) {
        String leader = call.text("leader", MEMBER).orElse("");
        String candidate = call.text("candidate", MEMBER).orElse("");
        Optional<Instant> at = call.text("scheduled_at", "an ISO-8601 time with an offset").map(this::scheduledAt);
        call.target(candidate.isEmpty() ? "best candidate" : candidate);
        ClusterState cluster = ClusterState.of(services.cluster().read());
        return request(SwitchoverRequest.switchover(cluster, leader, candidate, at.map(Instant::toEpochMilli).orElse(0L)));
    }

    private Reply failover(Call call) {
        String candidate = call.text("candidate", MEMBER).orElse("");
        call.target(candidate.isEmpty() ? "best candidate" : candidate);
        return request(SwitchoverRequest.failover(ClusterState.of(services.cluster().read()), candidate));
    }

    private Instant scheduledAt(String text) {
        String expected = "an ISO-8601 time with an offset, in the future, such as 2030-01-02T03:04:05+02:00";
        Instant at;
        try {
            at = SwitchoverRequest.parseScheduled(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("scheduled_at", expected, e.getMessage());
        }
        if (!at.isAfter(services.clock().instant())) {
            throw Problem.invalidField("scheduled_at", expected, "scheduled_at must be in the future (got " + at + ", now "
                    + services.clock().instant() + ")");
        }
        return at;
    }

    private Reply request(SwitchoverRequest request) {
        services.cluster().requestSwitchover(request.from(), request.to(), request.notBeforeMillis());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("kind", request.kind().label());
        body.put("from", request.leaderBefore().isEmpty() ? null : request.leaderBefore());
        body.put("to", request.to().isEmpty() ? null : request.to());
        body.put("scheduled_at", request.notBeforeMillis() > 0 ? Instant.ofEpochMilli(request.notBeforeMillis()).toString()
                : null);
        body.put("summary", request.summary());
        return Reply.accepted(body, request.summary() + " requested");
    }

    /** As {@code pgherd pause} and {@code resume}: nothing written when the flag already says so. */
    private Reply maintenance(boolean on) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("paused", on);
        if (ClusterState.of(services.cluster().read()).paused() == on) {
            body.put("changed", false);
            return Reply.ok(body, "maintenance mode already " + (on ? "on" : "off"));
        }
        try {
            services.cluster().pause(on);
        } catch (IllegalStateException e) {
            throw Problem.conflict("maintenance mode was not changed: " + e.getMessage());
        }
        body.put("changed", true);
        return Reply.ok(body, "maintenance mode " + (on ? "on" : "off"));
    }
}
