package io.pgherd.controller.api;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.javalin.http.Context;
import io.pgherd.controller.access.Principal;

/**
 * One request as a route sees it: who sent it, its path parameters, its JSON body read field by field (a missing or
 * malformed field is a {@link Problem} naming it and what was expected), and the target it names for the audit log.
 * Used by one thread, for one request.
 */
public final class Call {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectReader READER = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Context context;
    private final Optional<Principal> principal;
    private ObjectNode body;
    private String target = "";

    Call(Context context, Optional<Principal> principal) {
        this.context = context;
        this.principal = principal;
    }

    /** Who sent it; empty on a route open to anyone. */
    public Optional<Principal> principal() {
        return principal;
    }

    /** A path parameter ({@code {id}} of the route's path). */
    public String param(String name) {
        return context.pathParam(name);
    }

    /** A query parameter, if given. */
    public Optional<String> query(String name) {
        return Optional.ofNullable(context.queryParam(name));
    }

    /** Names what the request is about (a member, a task, a user), for the audit log. */
    public void target(String what) {
        target = what == null ? "" : what;
    }

    String target() {
        return target;
    }

    /** The body as a JSON object; an empty body is {@code {}}. */
    public ObjectNode body() {
        if (body != null) {
            return body;
        }
        String text = context.body();
        if (text.isBlank()) {
            body = JSON.createObjectNode();
            return body;
        }
        JsonNode node;
        try {
            node = READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw Problem.badJson("the body is not JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw Problem.badJson("the body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw Problem.badJson("the body must be a JSON object (got " + (node == null ? "nothing" : kind(node)) + ")");
        }
        body = (ObjectNode) node;
        return body;
    }

    /** A required integer field of the body. */
    public int integer(String field, String expected) {
        JsonNode value = body().get(field);
        if (value == null || value.isNull()) {
            throw Problem.invalidField(field, expected, field + " is required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw Problem.invalidField(field, expected, field + " must be " + expected + " (got " + kind(value) + " " + value
                    + ")");
        }
        return value.intValue();
    }

    /** An optional text field of the body; empty when absent, null or blank. */
    public Optional<String> text(String field, String expected) {
        JsonNode value = body().get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw Problem.invalidField(field, expected, field + " must be " + expected + " (got " + kind(value) + " " + value
                    + ")");
        }
        return value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText().strip());
    }

    /** A required text field of the body. */
    public String requiredText(String field, String expected) {
        return text(field, expected).orElseThrow(() -> Problem.invalidField(field, expected, field + " is required"));
    }

    /** How a JSON value's kind reads in a sentence: {@code a string}, {@code a number}, .... */
    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a value";
        };
    }

    static ObjectMapper json() {
        return JSON;
    }
}
