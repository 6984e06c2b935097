package io.pgherd.controller.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.HandlerType;
import io.pgherd.controller.access.AccessException;
import io.pgherd.controller.access.AuditEntry;
import io.pgherd.controller.access.Directory;
import io.pgherd.controller.access.Role;

/**
 * Users, tokens (the secret only in the answer that creates it) and the audit log, for admins. The store behind them
 * is the {@link Directory} and {@link io.pgherd.controller.access.AuditLog} of the access package.
 */
final class AccessRoutes {
    /** The most audit entries one request reads. */
    static final int MAX_AUDIT = 1000;
    private static final String ROLES = "viewer, operator or admin";
    private final ApiServices services;

    AccessRoutes(ApiServices services) {
        this.services = services;
    }

    List<Route> routes() {
        return List.of(
                Route.read("/users", Role.ADMIN, call -> users()),
                Route.change(HandlerType.POST, "/users", Role.ADMIN, this::addUser),
                Route.change(HandlerType.DELETE, "/users/{name}", Role.ADMIN, this::removeUser),
                Route.read("/tokens", Role.ADMIN, call -> tokens()),
                Route.change(HandlerType.POST, "/tokens", Role.ADMIN, this::createToken),
                Route.change(HandlerType.DELETE, "/tokens/{id}", Role.ADMIN, this::revokeToken),
                Route.read("/audit", Role.ADMIN, this::audit));
    }

    private Reply users() {
        ArrayNode users = JsonNodeFactory.instance.arrayNode();
        services.directory().users().forEach(u -> users.add(user(u)));
        return Reply.ok(users);
    }

    private Reply addUser(Call call) {
        String name = call.requiredText("name", "a user name");
        call.target(name);
        String text = call.requiredText("role", ROLES);
        Role role = Role.parse(text).orElseThrow(() -> Problem.invalidField("role", ROLES, "role must be " + ROLES + " (got "
                + text + ")"));
        Directory.User user = access(() -> services.directory().addUser(name, role), "user");
        return Reply.created(user(user), "user " + name + " added as " + role.wireName());
    }

    private Reply removeUser(Call call) {
        String name = call.param("name");
        call.target(name);
        access(() -> {
            services.directory().removeUser(name);
            return null;
        }, "user");
        return Reply.noContent("user " + name + " removed, its tokens revoked");
    }

    private Reply tokens() {
        ArrayNode tokens = JsonNodeFactory.instance.arrayNode();
        services.directory().tokens().forEach(t -> tokens.add(token(t)));
        return Reply.ok(tokens);
    }

    private Reply createToken(Call call) {
        String user = call.requiredText("user", "a user name");
        call.target(user);
        String expected = "an ISO-8601 time in the future, such as 2030-01-02T03:04:05Z";
        Optional<Instant> expires = call.text("expires_at", expected).map(text -> {
            Instant at;
            try {
                at = Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw Problem.invalidField("expires_at", expected, "expires_at is not an ISO-8601 time (got " + text + ")");
            }
            if (!at.isAfter(services.clock().instant())) {
                throw Problem.invalidField("expires_at", expected, "expires_at must be in the future (got " + text + ")");
            }
            return at;
        });
        Directory.IssuedToken issued = access(() -> services.directory().createToken(user, expires), "user");
        ObjectNode body = token(issued.info());
        body.put("token", issued.secret());
        return Reply.created(body, "token " + issued.info().id() + " created for " + user);
    }

    private Reply revokeToken(Call call) {
        String id = call.param("id");
        call.target(id);
        access(() -> {
            services.directory().revokeToken(id);
            return null;
        }, "token");
        return Reply.noContent("token " + id + " revoked");
    }

    private Reply audit(Call call) {
        String expected = "an integer from 1 to " + MAX_AUDIT;
        int limit;
        try {
            limit = Integer.parseInt(call.query("limit").orElse("100"));
        } catch (NumberFormatException e) {
            throw Problem.invalidField("limit", expected, "limit must be " + expected + " (got " + call.query("limit").get()
                    + ")");
        }
        if (limit < 1 || limit > MAX_AUDIT) {
            throw Problem.invalidField("limit", expected, "limit must be " + expected + " (got " + limit + ")");
        }
        ArrayNode entries = JsonNodeFactory.instance.arrayNode();
        for (AuditEntry e : services.audit().recent(limit)) {
            entries.addObject().put("at", e.at().toString()).put("user", e.user()).put("token_id", e.tokenId())
                    .put("action", e.action()).put("target", e.target()).put("status", e.status()).put("outcome", e.outcome());
        }
        return Reply.ok(entries);
    }

    private static ObjectNode user(Directory.User u) {
        return JsonNodeFactory.instance.objectNode().put("name", u.name()).put("role", u.role().wireName())
                .put("created", u.created().toString());
    }

    private static ObjectNode token(Directory.TokenInfo t) {
        return JsonNodeFactory.instance.objectNode().put("id", t.id()).put("user", t.user())
                .put("created", t.created().toString()).put("expires_at", t.expires().map(Instant::toString).orElse(null));
    }

    private static <T> T access(java.util.function.Supplier<T> work, String what) {
        try {
            return work.get();
        } catch (AccessException e) {
            throw Problem.of(e, what);
        }
    }
}
