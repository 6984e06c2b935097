package io.pgherd.controller.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A route's successful answer.
 *
 * @param status  the HTTP status (200, 201, 202, 204)
 * @param body    the JSON body; null for 204
 * @param outcome what was done, one sentence for the audit log of a mutating request
 */
public record Reply(int status, JsonNode body, String outcome) {

    public static Reply ok(JsonNode body) {
        return new Reply(200, body, "read");
    }

    public static Reply ok(JsonNode body, String outcome) {
        return new Reply(200, body, outcome);
    }

    public static Reply created(JsonNode body, String outcome) {
        return new Reply(201, body, outcome);
    }

    public static Reply accepted(JsonNode body, String outcome) {
        return new Reply(202, body, outcome);
    }

    public static Reply noContent(String outcome) {
        return new Reply(204, null, outcome);
    }
}
