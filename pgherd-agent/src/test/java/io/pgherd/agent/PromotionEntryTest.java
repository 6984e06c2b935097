package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.HistoryEntry;

/** What an agent records of its promotion: durations from a lost key only when there was a leader to lose. */
class PromotionEntryTest {

    @Test
    void aFailoverMeasuresFromTheOldKeyAndTheOldPrimarysLastSignOfLife() {
        HistoryEntry e = PromotionEntry.of("n2", "n1", "failover", 3, 999, 41, 1_000, 5_800, 5_900, 6_300, 6_320);

        assertThat(e.previousLeader()).isEqualTo("n1");
        assertThat(e.timelineMs()).isEqualTo(new HistoryEntry.Timeline(1_000, 5_800, 5_900, 6_300, 6_320));
        assertThat(e.writesResumedAfterKeyGoneMs()).isEqualTo(520);
        assertThat(e.writesResumedAfterLastSeenMs()).isEqualTo(5_320);
        assertThat(e.time()).isEqualTo("1970-01-01T00:00:06.300Z");
    }

    @Test
    void theBootstrapHasNoKeyGoneNorWritesAfterIt() {
        // The agent's loop notes "no leader" from its first cycle: that is no lost key.
        HistoryEntry e = PromotionEntry.of("n1", "", "initialized", 1, 100, 7, 0, 4_000, 7_000, 7_000, 7_010);

        assertThat(e.timelineMs()).isEqualTo(new HistoryEntry.Timeline(0, 0, 7_000, 7_000, 7_010));
        assertThat(e.writesResumedAfterKeyGoneMs()).isNull();
        assertThat(e.writesResumedAfterLastSeenMs()).isNull();
    }

    @Test
    void aFailedFirstWriteMeasuresNoDuration() {
        HistoryEntry e = PromotionEntry.of("n2", "n1", "failover", 3, 999, 41, 1_000, 5_800, 5_900, 6_300, -1);

        assertThat(e.writesResumedAfterKeyGoneMs()).isNull();
        assertThat(e.writesResumedAfterLastSeenMs()).isNull();
    }
}
