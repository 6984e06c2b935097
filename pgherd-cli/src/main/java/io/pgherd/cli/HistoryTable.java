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
    /** The moments each proxy adds under {@code proxies.<name>}, in order, with their labels. */
    private static final List<String[]> PROXY_MOMENTS = List.of(new String[] {"failure_seen", "failure seen"},
            new String[] {"leader_seen", "leader seen"}, new String[] {"writes_released", "writes released"},
            new String[] {"first_write", "first write"});

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
                    timeline(e.path("timeline_ms"), e.path("proxies"))));
        }
        return Columns.format(table);
    }

    /**
     * The moments of {@code timeline_ms} (epoch milliseconds; 0 or negative: not measured) relative
     * to the first measured one: {@code last seen +0, key gone +4812, elected +4950, promoted +5301,
     * first write +5322 ms}, then what each proxy saw ({@code proxies.<name>}: {@code ; proxy1 failure
     * seen +2, leader seen +5290, writes released +5296, first write +5330}); {@code -} when none was measured.
     */
    static String timeline(JsonNode timeline, JsonNode proxies) {
        long origin = Long.MAX_VALUE;
        for (String[] moment : MOMENTS) {
            long at = timeline.path(moment[0]).asLong(0);
            origin = at > 0 ? Math.min(origin, at) : origin;
        }
        for (JsonNode proxy : proxies) {
            for (String[] moment : PROXY_MOMENTS) {
                long at = proxy.path(moment[0]).asLong(0);
                origin = at > 0 ? Math.min(origin, at) : origin;
            }
        }
        if (origin == Long.MAX_VALUE) {
            return "-";
        }
        String agents = moments(timeline, MOMENTS, origin);
        StringBuilder out = new StringBuilder(agents);
        var names = proxies.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            String seen = moments(proxies.get(name), PROXY_MOMENTS, origin);
            if (!seen.isEmpty()) {
                out.append(out.length() == 0 ? "" : "; ").append(name).append(' ').append(seen);
            }
        }
        return out + " ms";
    }

    private static String moments(JsonNode times, List<String[]> labels, long origin) {
        List<String> parts = new ArrayList<>();
        for (String[] moment : labels) {
            long at = times.path(moment[0]).asLong(0);
            if (at > 0) {
                parts.add(moment[1] + " +" + (at - origin));
            }
        }
        return String.join(", ", parts);
    }

    private static String text(JsonNode value) {
        return value.isValueNode() && !value.asText("").isEmpty() ? value.asText() : "-";
    }
}
