package io.pgherd.controller.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.HandlerType;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.Schedule;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.schedule.ScheduleException;
import io.pgherd.controller.schedule.Schedules;

/**
 * {@code GET /schedules}, {@code POST /schedules} and {@code DELETE /schedules/{name}}, as {@code pgherd schedule list},
 * {@code add} and {@code remove}: the same {@link Schedules}, so the API refuses what the CLI refuses with the same
 * sentences, and nothing is written unless every field is valid.
 */
final class ScheduleRoutes {
    private final ApiServices services;

    ScheduleRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.read("/schedules", Role.VIEWER, call -> list()),
                Route.change(HandlerType.POST, "/schedules", Role.OPERATOR, this::add),
                Route.change(HandlerType.DELETE, "/schedules/{name}", Role.OPERATOR, this::remove));
    }

    private Reply list() {
        Instant now = services.clock().instant();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        schedules().list().forEach(s -> out.add(json(s, now)));
        return Reply.ok(out);
    }

    private Reply add(Call call) {
        ObjectNode body = call.body();
        Schedules.Request request = new Schedules.Request(text(body, "name"), text(body, "cron"), text(body, "zone"),
                replicas(body), text(body, "missed"));
        call.target(request.name() == null ? "" : request.name());
        Schedule added = refusals(() -> schedules().add(request));
        return Reply.created(json(added, services.clock().instant()), "schedule " + added.name() + " added: '"
                + added.cron() + "' in " + added.zone() + " sets " + added.action().readReplicas() + " read replicas");
    }

    private Reply remove(Call call) {
        String name = call.param("name");
        call.target(name);
        refusals(() -> schedules().remove(name));
        return Reply.noContent("schedule " + name + " removed");
    }

    /** A schedule as {@code GET} shows it: the record plus when it is next due ({@code null} when never). */
    private static ObjectNode json(Schedule schedule, Instant now) {
        ObjectNode node = (ObjectNode) ClusterJson.tree(schedule);
        Optional<Instant> next = Schedules.next(schedule, now);
        if (next.isPresent()) {
            node.put("next_due", next.get().toString());
        } else {
            node.putNull("next_due");
        }
        return node;
    }

    /** A text field as given, or null (Schedules says what is missing or wrong, with every other problem). */
    private static String text(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Problem.invalidField(field, "a string", field + " must be a string (got " + Call.kind(value) + " " + value
                    + ")");
        }
        return value.asText();
    }

    private static Integer replicas(ObjectNode body) {
        JsonNode value = body.get("read_replicas");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw Problem.invalidField("read_replicas", "0 to " + Schedules.MAX_READ_REPLICAS, "read_replicas must be an"
                    + " integer (got " + Call.kind(value) + " " + value + ")");
        }
        return value.intValue();
    }

    private static <T> T refusals(Supplier<T> request) {
        try {
            return request.get();
        } catch (ScheduleException e) {
            throw switch (e.kind()) {
                case INVALID -> {
                    ScheduleException.Problem first = e.problems().get(0);
                    yield Problem.invalidField(first.field(), first.expected(), e.getMessage());
                }
                case NOT_FOUND -> Problem.notFound("schedule", "name", e.getMessage());
                case EXISTS, CONFLICT -> Problem.conflict(e.getMessage());
            };
        }
    }

    private Schedules schedules() {
        return new Schedules(services.cluster(), services.clock());
    }
}
