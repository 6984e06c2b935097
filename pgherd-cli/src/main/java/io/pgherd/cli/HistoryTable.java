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
            new Moment<>("writes released", ProxyTimeline::writesReleased), new Moment<>("first write", HistoryTable::firstWrite));
    private static final String NO_WRITE_SEEN = "no write seen";
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
                    writesAfterKeyGone(e),
                    timeline(agentTimeline(e), e.proxies() == null ? Map.of() : e.proxies())));
        }
        return Columns.format(table);
    }

    /**
     * The moments of {@code timeline_ms} relative to the first measured one: {@code last seen +0, key gone
     * +4812, elected +4950, promoted +5301, first write +5322 ms}, then what each proxy saw
     * ({@code proxies.<name>}: {@code ; proxy1 failure seen +2, leader seen +5290, writes released +5296,
     * first write +5330}; {@code no write seen} when no client wrote within
     * {@link ProxyTimeline#FIRST_WRITE_WINDOW_MILLIS} of the release); {@code -} when none was measured.
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
            if (!seen.isEmpty() && proxy.getValue().writesReleased() > 0 && firstWrite(proxy.getValue()) == 0) {
                seen += " ms, " + NO_WRITE_SEEN;
            }
            if (!seen.isEmpty()) {
                out.append(out.length() == 0 ? "" : "; ").append(proxy.getKey()).append(' ').append(seen);
            }
        }
        return out.toString().endsWith(NO_WRITE_SEEN) ? out.toString() : out + " ms";
    }

    /**
     * The time from the old key's disappearance to the first write: only for a promotion that followed a
     * leader ({@code previous_leader} set); a bootstrap had no key to lose (agents before this release
     * measured one from their own start).
     */
    private static String writesAfterKeyGone(HistoryEntry e) {
        return followedALeader(e) && e.writesResumedAfterKeyGoneMs() != null ? e.writesResumedAfterKeyGoneMs() + " ms" : "-";
    }

    /** The agent's moments; a bootstrap (no previous leader) has no old primary or key to lose. */
    private static Timeline agentTimeline(HistoryEntry e) {
        Timeline t = e.timelineMs() == null ? UNMEASURED : e.timelineMs();
        return followedALeader(e) ? t : new Timeline(0, 0, t.elected(), t.promoted(), t.firstWrite());
    }

    private static boolean followedALeader(HistoryEntry e) {
        return e.previousLeader() != null && !e.previousLeader().isEmpty();
    }

    /**
     * A proxy's first write, when it measures the promotion: within
     * {@link ProxyTimeline#FIRST_WRITE_WINDOW_MILLIS} of releasing writes (proxies before this release
     * recorded whenever a client next wrote, minutes later after a quiet switchover).
     */
    private static long firstWrite(ProxyTimeline proxy) {
        long released = proxy.writesReleased();
        return proxy.firstWrite() > 0 && (released <= 0 || proxy.firstWrite() - released <= ProxyTimeline.FIRST_WRITE_WINDOW_MILLIS)
                ? proxy.firstWrite() : 0;
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
