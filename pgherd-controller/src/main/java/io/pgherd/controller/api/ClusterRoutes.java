package io.pgherd.controller.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.HandlerType;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.requests.ScaleRequest;

/**
 * {@code GET /cluster}, {@code GET /spec}, {@code PUT /spec/replicas} (what {@code pgherd scale} does, with its
 * checks) and {@code GET /history}.
 */
final class ClusterRoutes {
    private static final String REPLICAS = "replicas";
    private final ApiServices services;

    ClusterRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.read("/cluster", Role.VIEWER, call -> cluster()),
                Route.read("/spec", Role.VIEWER, call -> spec()),
                Route.change(HandlerType.PUT, "/spec/replicas", Role.OPERATOR, this::scale),
                Route.read("/history", Role.VIEWER, call -> Reply.ok(ClusterJson.tree(services.cluster().history()))));
    }

    private Reply cluster() {
        ControllerStore controllers = new ControllerStore(services.cluster());
        return Reply.ok(ClusterView.of(services.cluster().keys().cluster(), services.cluster().read(), controllers.acting(),
                controllers.epoch(), services.controller().get()));
    }

    private Reply spec() {
        return Reply.ok(services.cluster().readSpec().spec().map(s -> (ObjectNode) ClusterJson.tree(s))
                .orElseGet(JsonNodeFactory.instance::objectNode));
    }

    private Reply scale(Call call) {
        String expected = "an integer from 0 to " + ScaleRequest.MAX_READ_REPLICAS;
        int replicas = call.integer(REPLICAS, expected);
        call.target("spec.read_replicas=" + replicas);
        if (replicas < 0 || replicas > ScaleRequest.MAX_READ_REPLICAS) {
            throw Problem.invalidField(REPLICAS, expected, "replicas must be 0 to " + ScaleRequest.MAX_READ_REPLICAS + " (got "
                    + replicas + "); nothing was changed");
        }
        ScaleRequest.Outcome outcome = ScaleRequest.scale(services.cluster(), replicas);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("read_replicas", outcome.after());
        if (outcome.before().isPresent()) {
            body.put("was", outcome.before().get());
        } else {
            body.putNull("was");
        }
        body.put("changed", outcome.changed());
        body.put("autoscaling", outcome.autoscaling());
        String sentence = outcome.changed() ? "desired read replicas " + replicas + outcome.before().map(b -> " (was " + b + ")")
                .orElse("") : "desired read replicas already " + replicas;
        return Reply.ok(body, sentence);
    }
}
