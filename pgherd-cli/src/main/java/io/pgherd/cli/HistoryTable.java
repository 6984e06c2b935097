package io.pgherd.cli;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What {@code pgherd history} prints for the promotions the agents recorded in the DCS: one row per
 * promotion, oldest first, with its measured timings where the record has them. Records are read
 * leniently (an agent of another version may omit fields: they show as {@code -}). Pure; thread-safe.
 */
final class HistoryTable {
    /** The moments in {@code timeline_ms}, in the order they happen, with their labels. */
    private static final List<String[]> MOMENTS = List.of(new String[] {"old_primary_last_seen", "last seen"},
            new String[] {"key_gone", "key gone"}, new String[] {"elected", "elected"},
            new String[] {"promoted", "promoted"}, new String[] {"first_write", "first write"});

    private HistoryTable() {
    }

    static String text(String cluster, List<JsonNode> events) {
        if (events.isEmpty()) {
            return "no promotion recorded in cluster " + cluster + "\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("TIME", "TL", "LEADER", "REASON", "WRITES AFTER KEY GONE", "TIMELINE"));
        for (JsonNode e : events) {
            String previous = e.path("previous_leader").asText("");
            String leader = e.path("leader").asText("");
            table.add(List.of(text(e.path("time")), e.path("timeline").canConvertToInt() && e.path("timeline").asInt() > 0
                            ? Integer.toString(e.path("timeline").asInt()) : "-",
                    (previous.isEmpty() ? "-" : previous) + " -> " + (leader.isEmpty() ? "-" : leader),
                    text(e.path("reason")),
                    e.path("writes_resumed_after_key_gone_ms").isNumber()
                            ? e.path("writes_resumed_after_key_gone_ms").asLong() + " ms" : "-",
                    timeline(e.path("timeline_ms"))));
        }
        return Columns.format(table);
    }

    /**
     * The moments of {@code timeline_ms} (epoch milliseconds; 0 or negative: not measured) relative
     * to the first measured one: {@code last seen +0, key gone +4812, elected +4950, promoted +5301,
     * first write +5322 ms}; {@code -} when none was measured.
     */
    static String timeline(JsonNode timeline) {
        long origin = Long.MAX_VALUE;
        for (String[] moment : MOMENTS) {
            long at = timeline.path(moment[0]).asLong(0);
            if (at > 0) {
                origin = Math.min(origin, at);
            }
        }
        if (origin == Long.MAX_VALUE) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (String[] moment : MOMENTS) {
            long at = timeline.path(moment[0]).asLong(0);
            if (at > 0) {
                parts.add(moment[1] + " +" + (at - origin));
            }
        }
        return String.join(", ", parts) + " ms";
    }

    private static String text(JsonNode value) {
        return value.isValueNode() && !value.asText("").isEmpty() ? value.asText() : "-";
    }
}
