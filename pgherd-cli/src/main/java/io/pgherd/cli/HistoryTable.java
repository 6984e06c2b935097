package io.pgherd.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import io.pgherd.cluster.HistoryEntry.ProxyTimeline;
import io.pgherd.cluster.HistoryEntry.Timeline;
import io.pgherd.cluster.HistoryEntry;

/**
 * What {@code pgherd history} prints for the promotions the agents recorded in the DCS: one row per
 * promotion, oldest first, with its measured timings where the record has them. An agent of another
 * version may omit fields (the model reads them as absent): they show as {@code -}. Pure; thread-safe.
 */
final class HistoryTable {
    /** A measured moment (epoch ms; 0 or negative: not measured) and its label. */
    private record Moment<T>(String label, ToLongFunction<T> at) {
    }

    /** The moments of the agent's {@code timeline_ms}, in the order they happen. */
    private static final List<Moment<Timeline>> MOMENTS = List.of(new Moment<>("last seen", Timeline::oldPrimaryLastSeen),
            new Moment<>("key gone", Timeline::keyGone), new Moment<>("elected", Timeline::elected),
            new Moment<>("promoted", Timeline::promoted), new Moment<>("first write", Timeline::firstWrite));
    /** The moments each proxy adds under {@code proxies.<name>}, in order. */
    private static final List<Moment<ProxyTimeline>> PROXY_MOMENTS = List.of(
            new Moment<>("failure seen", ProxyTimeline::failureSeen), new Moment<>("leader seen", ProxyTimeline::leaderSeen),
            new Moment<>("writes released", ProxyTimeline::writesReleased), new Moment<>("first write", ProxyTimeline::firstWrite));
    private static final Timeline UNMEASURED = new Timeline(0, 0, 0, 0, 0);

    private HistoryTable() {
    }

    static String text(String cluster, List<HistoryEntry> events) {
        if (events.isEmpty()) {
            return "no promotion recorded in cluster " + cluster + "\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("TIME", "TL", "LEADER", "REASON", "WRITES AFTER KEY GONE", "TIMELINE"));
        for (HistoryEntry e : events) {
            table.add(List.of(text(e.time()), e.timeline() > 0 ? Integer.toString(e.timeline()) : "-",
                    text(e.previousLeader()) + " -> " + text(e.leader()),
                    text(e.reason()),
                    e.writesResumedAfterKeyGoneMs() != null ? e.writesResumedAfterKeyGoneMs() + " ms" : "-",
                    timeline(e.timelineMs() == null ? UNMEASURED : e.timelineMs(), e.proxies() == null ? Map.of() : e.proxies())));
        }
        return Columns.format(table);
    }

    /**
     * The moments of {@code timeline_ms} relative to the first measured one: {@code last seen +0, key gone
     * +4812, elected +4950, promoted +5301, first write +5322 ms}, then what each proxy saw
     * ({@code proxies.<name>}: {@code ; proxy1 failure seen +2, leader seen +5290, writes released +5296,
     * first write +5330}); {@code -} when none was measured.
     */
    static String timeline(Timeline timeline, Map<String, ProxyTimeline> proxies) {
        long origin = origin(timeline, MOMENTS, Long.MAX_VALUE);
        for (ProxyTimeline proxy : proxies.values()) {
            origin = origin(proxy, PROXY_MOMENTS, origin);
        }
        if (origin == Long.MAX_VALUE) {
            return "-";
        }
        StringBuilder out = new StringBuilder(moments(timeline, MOMENTS, origin));
        for (Map.Entry<String, ProxyTimeline> proxy : proxies.entrySet()) {
            String seen = moments(proxy.getValue(), PROXY_MOMENTS, origin);
            if (!seen.isEmpty()) {
                out.append(out.length() == 0 ? "" : "; ").append(proxy.getKey()).append(' ').append(seen);
            }
        }
        return out + " ms";
    }

    private static <T> long origin(T times, List<Moment<T>> moments, long origin) {
        for (Moment<T> moment : moments) {
            long at = moment.at().applyAsLong(times);
            origin = at > 0 ? Math.min(origin, at) : origin;
        }
        return origin;
    }

    private static <T> String moments(T times, List<Moment<T>> moments, long origin) {
        List<String> parts = new ArrayList<>();
        for (Moment<T> moment : moments) {
            long at = moment.at().applyAsLong(times);
            if (at > 0) {
                parts.add(moment.label() + " +" + (at - origin));
            }
        }
        return String.join(", ", parts);
    }

    private static String text(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
