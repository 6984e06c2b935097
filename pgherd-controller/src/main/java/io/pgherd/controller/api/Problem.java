package io.pgherd.controller.api;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.controller.access.AccessException;
import io.pgherd.controller.requests.RequestRefused;

/**
 * An answer of the API that is not a success: an RFC 9457 problem ({@code application/problem+json}) whose
 * {@code type} is {@link #TYPES}{@code <slug>}, a stable slug clients may branch on; for a bad field of the request,
 * {@code field} names it and {@code expected} says what it should be. Thrown by routes and by the request's
 * {@link Call}; never carries a Java class name or a stack trace.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** What every problem type starts with. */
    public static final String TYPES = "https://pgherd.io/problems/";
    public static final String CONTENT_TYPE = "application/problem+json";

    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final String expected;

    private Problem(int status, String slug, String title, String detail, String field, String expected) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.expected = expected;
    }

    /** A field of the request that is missing or not what it should be (400, {@code invalid-field}). */
    public static Problem invalidField(String field, String expected, String detail) {
        return new Problem(400, "invalid-field", "A field of the request is not valid", detail, field, expected);
    }

    /** A body that is not a JSON object (400, {@code bad-json}). */
    public static Problem badJson(String detail) {
        return new Problem(400, "bad-json", "The request body is not a JSON object", detail, null, null);
    }

    /** A dynamic configuration the agents would refuse (400, {@code invalid-configuration}). */
    public static Problem invalidConfiguration(String field, String detail) {
        return new Problem(400, "invalid-configuration", "The configuration is not valid", detail, field, null);
    }

    /** Something named in the path or body that does not exist: {@code unknown-member}, {@code unknown-task}, .... */
    public static Problem notFound(String what, String field, String detail) {
        return new Problem(404, "unknown-" + what, "No such " + what, detail, field, null);
    }

    /** A path the API does not have (404, {@code no-such-route}). */
    public static Problem noRoute(String detail) {
        return new Problem(404, "no-such-route", "No such route", detail, null, null);
    }

    /** A method the path does not take (405, {@code method-not-allowed}). */
    public static Problem methodNotAllowed(String detail) {
        return new Problem(405, "method-not-allowed", "Method not allowed", detail, null, null);
    }

    /** The cluster's state does not allow the request now (409, {@code conflict}). */
    public static Problem conflict(String detail) {
        return new Problem(409, "conflict", "The cluster does not allow this now", detail, null, null);
    }

    /** No valid token (401, {@code unauthorized}); the answer carries {@code WWW-Authenticate: Bearer}. */
    public static Problem unauthorized(String detail) {
        return new Problem(401, "unauthorized", "Authentication required", detail, null, null);
    }

    /** A role too low for the route (403, {@code forbidden}). */
    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Role too low", detail, null, null);
    }

    /** The DCS did not answer (503, {@code dcs-unavailable}): a write may or may not have happened. */
    public static Problem dcsUnavailable(String detail) {
        return new Problem(503, "dcs-unavailable", "The DCS did not answer", detail, null, null);
    }

    /** A fault of the server (500, {@code internal-error}); the detail names no class. */
    public static Problem internal(String detail) {
        return new Problem(500, "internal-error", "Internal error", detail, null, null);
    }

    /** A refusal of the checks the CLI shares: invalid (400), unknown (404) or not now (409). */
    public static Problem of(RequestRefused refused) {
        String field = refused.field().orElse(null);
        return switch (refused.kind()) {
            case INVALID -> invalidField(field, null, refused.getMessage());
            case NOT_FOUND -> notFound("member", field, refused.getMessage());
            case CONFLICT -> new Problem(409, "conflict", "The cluster does not allow this now", refused.getMessage(), field,
                    null);
        };
    }

    /** A refusal of the user and token store. */
    public static Problem of(AccessException refused, String what) {
        return switch (refused.kind()) {
            case NOT_FOUND -> notFound(what, null, refused.getMessage());
            case CONFLICT -> conflict(refused.getMessage());
            case INVALID -> invalidField(null, null, refused.getMessage());
        };
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** The problem document. */
    public ObjectNode json() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", TYPES + slug);
        node.put("title", title);
        node.put("status", status);
        node.put("detail", getMessage());
        if (field != null) {
            node.put("field", field);
        }
        if (expected != null) {
            node.put("expected", expected);
        }
        return node;
    }
}
