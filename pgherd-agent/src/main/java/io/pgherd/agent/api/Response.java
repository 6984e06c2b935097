package io.pgherd.agent.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One HTTP response: status, content type, body and extra headers. Messages are plain text, one
 * sentence and a newline, as Patroni answers them (so {@code curl} shows them as they are); reports
 * are JSON.
 */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEXT = "text/plain; charset=utf-8";

    Response {
        headers = Map.copyOf(headers);
    }

    static Response json(int status, JsonNode node) {
        try {
            return new Response(status, "application/json", JSON.writeValueAsBytes(node), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a JSON tree", e);
        }
    }

    static Response text(int status, String message) {
        return new Response(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, contentType, body, more);
    }

    /** The body as text (for logs and tests). */
    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
