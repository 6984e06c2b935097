package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The record {@code history}: a JSON array of {@link HistoryEntry}, oldest first, appended to with
 * compare-and-set by the promoted agent and amended (its own timeline) by each proxy.
 *
 * @param entries every promotion recorded, oldest first
 */
public record History(@JsonValue List<HistoryEntry> entries) {
    public static final History EMPTY = new History(List.of());

    @JsonCreator
    public History {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** This history with {@code entry} appended. */
    public History append(HistoryEntry entry) {
        List<HistoryEntry> next = new ArrayList<>(entries);
        next.add(entry);
        return new History(next);
    }

    /** This history with entry {@code index} replaced. */
    public History replace(int index, HistoryEntry entry) {
        List<HistoryEntry> next = new ArrayList<>(entries);
        next.set(index, entry);
        return new History(next);
    }

    /**
     * The index of the entry of {@code member}'s promotion under the leader key of {@code epoch}, or -1. The
     * agent appends it after its own first write, which a proxy's first write can precede, so it may not
     * be there yet; an earlier promotion of the same member has an entry of another epoch. An entry
     * without an epoch (an agent of an earlier version) is taken when it is the newest and names the member.
     */
    public int promotionOf(String member, long epoch) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).promotionOf(member, epoch)) {
                return i;
            }
        }
        int newest = entries.size() - 1;
        return newest >= 0 && entries.get(newest).leaderEpoch() == null && member.equals(entries.get(newest).leader())
                ? newest : -1;
    }
}
