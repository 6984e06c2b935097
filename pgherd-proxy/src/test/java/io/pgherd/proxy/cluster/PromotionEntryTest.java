package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.History;
import io.pgherd.cluster.UnreadableRecordException;

/** Which history entry a proxy's timeline of a promotion joins ({@link ProxyTimeline#promotionEntry}). */
class PromotionEntryTest {
    private static final WriteGate.Timeline NODE2_EPOCH_40 = new WriteGate.Timeline(1, 2, 3, 4, "node2", 40);

    private static History history(String json) {
        return ClusterJson.read("/pgherd/main/history", json, History.class);
    }

    @Test
    void theEntryOfTheSameEpochEvenWhenNewerOnesFollow() {
        History history = history("[{\"leader\": \"node2\", \"leader_epoch\": 7}, {\"leader\": \"node2\", \"leader_epoch\": 40},"
                + " {\"leader\": \"node1\", \"leader_epoch\": 55}]");

        assertThat(ProxyTimeline.promotionEntry(history, NODE2_EPOCH_40)).contains(1);
    }

    @Test
    void notTheSameMembersEarlierPromotionWhileItsAgentHasNotAppendedThisOne() {
        History history = history("[{\"leader\": \"node1\", \"leader_epoch\": 3}, {\"leader\": \"node2\", \"leader_epoch\": 7}]");

        assertThat(ProxyTimeline.promotionEntry(history, NODE2_EPOCH_40)).isEmpty();
    }

    @Test
    void anEntryWithoutAnEpochOnlyWhenItIsTheNewestAndNamesTheLeader() {
        History newest = history("[{\"leader\": \"node1\"}, {\"leader\": \"node2\"}]");
        assertThat(ProxyTimeline.promotionEntry(newest, NODE2_EPOCH_40)).contains(1);
        assertThat(newest.entries().get(1)).isEqualTo(history("[{\"leader\": \"node2\"}]").entries().get(0));
        assertThat(ProxyTimeline.promotionEntry(history("[{\"leader\": \"node2\"}, {\"leader\": \"node1\"}]"), NODE2_EPOCH_40))
                .isEmpty();
    }

    @Test
    void nothingInAMissingOrEmptyHistory() {
        assertThat(ProxyTimeline.promotionEntry(History.EMPTY, NODE2_EPOCH_40)).isEmpty();
        assertThat(ProxyTimeline.promotionEntry(history("[]"), NODE2_EPOCH_40)).isEmpty();
        // A history that is no list is reported as unreadable (and the store then writes nothing).
        assertThatThrownBy(() -> history("{\"leader\": \"node2\"}")).isInstanceOf(UnreadableRecordException.class);
    }
}
