package io.pgherd.controller.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.javalin.http.HandlerType;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Task;
import io.pgherd.controller.access.Role;

/** {@code GET /tasks}, {@code GET /tasks/{id}} and {@code POST /tasks/{id}/cancel}, as {@code pgherd tasks} and {@code task}. */
final class TaskRoutes {
    private final ApiServices services;

    TaskRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.read("/tasks", Role.VIEWER, call -> list()),
                Route.read("/tasks/{id}", Role.VIEWER, call -> Reply.ok(ClusterJson.tree(task(call.param("id"))))),
                Route.change(HandlerType.POST, "/tasks/{id}/cancel", Role.OPERATOR, this::cancel));
    }

    private Reply list() {
        ArrayNode tasks = JsonNodeFactory.instance.arrayNode();
        store().tasks().forEach(e -> tasks.add(ClusterJson.tree(e.task())));
        return Reply.ok(tasks);
    }

    private Task task(String id) {
        return store().task(id).map(ControllerStore.TaskEntry::task).orElseThrow(() -> unknown(id));
    }

    private Reply cancel(Call call) {
        String id = call.param("id");
        call.target(id);
        return switch (store().requestCancel(id, services.clock().millis())) {
            case REQUESTED -> Reply.accepted(ClusterJson.tree(task(id)), "cancel of task " + id + " requested");
            case NO_SUCH_TASK -> throw unknown(id);
            case ALREADY_FINISHED -> throw Problem.conflict("task " + id + " has already ended (" + task(id).state().label()
                    + "): nothing to cancel");
        };
    }

    private static Problem unknown(String id) {
        return Problem.notFound("task", "id", "no task " + id + " (GET /api/v1/tasks lists them)");
    }

    private ControllerStore store() {
        return new ControllerStore(services.cluster());
    }
}
