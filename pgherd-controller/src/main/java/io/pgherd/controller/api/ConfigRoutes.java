package io.pgherd.controller.api;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.HandlerType;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.DynamicConfig;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.controller.access.Role;

/**
 * {@code GET /config} (the dynamic configuration as stored) and {@code PATCH /config}: a JSON merge patch (RFC 7396)
 * validated as {@code pgherd config set} validates it — the whole document, PostgreSQL parameters against the
 * catalogue the agents published — and written with compare-and-set.
 */
final class ConfigRoutes {
    private final ApiServices services;

    ConfigRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.read("/config", Role.VIEWER, call -> Reply.ok(services.cluster().readConfig().document())),
                Route.change(HandlerType.PATCH, "/config", Role.ADMIN, this::patch));
    }

    private Reply patch(Call call) {
        ObjectNode patch = call.body();
        call.target(String.join(",", (Iterable<String>) patch::fieldNames));
        Optional<ParameterCatalogue> catalogue = services.cluster().readCatalogue();
        ClusterStore.ConfigChange change;
        try {
            change = services.cluster().patchConfig(patch, document -> DynamicConfig.parse(document, catalogue));
        } catch (ConfigException e) {
            List<ConfigProblem> problems = e.problems();
            throw Problem.invalidConfiguration(problems.isEmpty() ? null : problems.get(0).path(),
                    DynamicConfig.refusal(problems));
        } catch (IllegalStateException e) {
            throw Problem.conflict(e.getMessage());
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("configuration", change.after());
        List<String> changed = DynamicConfig.changedParameters(change.before(), change.after());
        ArrayNode restart = body.putArray("pending_restart");
        catalogue.ifPresent(c -> c.needingRestart(changed).forEach(restart::add));
        body.put("parameters_checked", catalogue.isPresent());
        return Reply.ok(body, change.before().equals(change.after()) ? "configuration already so" : "configuration changed");
    }
}
