package io.pgherd.controller.api;

import java.util.Optional;

import io.javalin.http.HandlerType;
import io.pgherd.controller.access.Role;

/**
 * One route of the API.
 *
 * @param method   the HTTP method
 * @param path     the full path, a parameter written {@code {name}} (as OpenAPI writes it)
 * @param role     the least role that may call it; empty for a route open to anyone (the OpenAPI document)
 * @param mutating whether it changes something: each call, refused or not, is written to the audit log
 * @param action   what it does
 */
public record Route(HandlerType method, String path, Optional<Role> role, boolean mutating, Action action) {
    /** The API's prefix. */
    public static final String PREFIX = "/api/v1";

    /** The work of a route: an answer, or a {@link Problem} thrown. */
    @FunctionalInterface
    public interface Action {
        Reply handle(Call call);
    }

    /** A route that reads, for {@code role} and above. */
    public static Route read(String path, Role role, Action action) {
        return new Route(HandlerType.GET, PREFIX + path, Optional.of(role), false, action);
    }

    /** A route that changes something, for {@code role} and above; audited. */
    public static Route change(HandlerType method, String path, Role role, Action action) {
        return new Route(method, PREFIX + path, Optional.of(role), true, action);
    }

    /** A route anyone may read without a token. */
    public static Route open(String path, Action action) {
        return new Route(HandlerType.GET, PREFIX + path, Optional.empty(), false, action);
    }

    /** {@code GET /api/v1/cluster}. */
    @Override
    public String toString() {
        return method + " " + path;
    }
}
