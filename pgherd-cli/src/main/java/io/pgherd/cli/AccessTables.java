package io.pgherd.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What {@code pgherd user}, {@code token} and {@code audit} print from the cluster API's answers: tables of one row
 * each, times in UTC to the second, {@code -} for none, and the fields of the answers that create something. The
 * one place the access commands read the API's JSON. Pure.
 */
final class AccessTables {
    private AccessTables() {
    }

    /**
     * A token as {@code POST /api/v1/tokens} answers it.
     *
     * @param token the secret, empty if the answer lacks it; {@link #toString()} leaves it out
     * @param expires the expiry as the API gave it, or {@code never}
     */
    record MadeToken(String id, String token, String expires) {
        @Override
        public String toString() {
            return "MadeToken[id=" + id + ", token=<hidden>, expires=" + expires + "]";
        }
    }

    static MadeToken madeToken(JsonNode answer) {
        return new MadeToken(answer.path("id").asText("?"), answer.path("token").asText(""),
                answer.path("expires_at").isTextual() ? answer.path("expires_at").asText() : "never");
    }

    /** {@code field} of an answer, or {@code otherwise} when it has none. */
    static String field(JsonNode answer, String field, String otherwise) {
        return answer.path(field).isTextual() ? answer.path(field).asText() : otherwise;
    }

    static String users(JsonNode users) {
        if (users.isEmpty()) {
            return "no user\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("NAME", "ROLE", "CREATED"));
        users.forEach(u -> table.add(List.of(text(u, "name"), text(u, "role"), time(u, "created"))));
        return Columns.format(table);
    }

    static String tokens(JsonNode tokens) {
        if (tokens.isEmpty()) {
            return "no token\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("ID", "USER", "CREATED", "EXPIRES"));
        tokens.forEach(t -> table.add(List.of(text(t, "id"), text(t, "user"), time(t, "created"),
                t.path("expires_at").isTextual() ? time(t, "expires_at") : "never")));
        return Columns.format(table);
    }

    /** The audit log, oldest first as the API gives it (newest last). */
    static String audit(JsonNode entries) {
        if (entries.isEmpty()) {
            return "no audit entry\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("TIME", "USER", "TOKEN", "ACTION", "TARGET", "STATUS", "OUTCOME"));
        entries.forEach(e -> table.add(List.of(time(e, "at"), text(e, "user"), text(e, "token_id"), text(e, "action"),
                text(e, "target"), e.path("status").isNumber() ? e.path("status").asText() : "-", text(e, "outcome"))));
        return Columns.format(table);
    }

    private static String text(JsonNode node, String field) {
        String text = node.path(field).asText("");
        return text.isBlank() ? "-" : text.replaceAll("\\s+", " ");
    }

    private static String time(JsonNode node, String field) {
        String text = node.path(field).asText("");
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return text.isBlank() ? "-" : text;
        }
    }
}
