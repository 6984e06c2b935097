package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Which history entry a proxy's timeline of a promotion joins ({@link ClusterFollower#promotionEntry}). */
class PromotionEntryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WriteGate.Timeline NODE2_EPOCH_40 = new WriteGate.Timeline(1, 2, 3, 4, "node2", 40);

    @Test
    void theEntryOfTheSameEpochEvenWhenNewerOnesFollow() throws Exception {
        JsonNode history = JSON.readTree("[{\"leader\": \"node2\", \"leader_epoch\": 7}, {\"leader\": \"node2\", \"leader_epoch\": 40},"
                + " {\"leader\": \"node1\", \"leader_epoch\": 55}]");

        assertThat(ClusterFollower.promotionEntry(history, NODE2_EPOCH_40)).isSameAs(history.get(1));
    }

    @Test
    void notTheSameMembersEarlierPromotionWhileItsAgentHasNotAppendedThisOne() throws Exception {
        JsonNode history = JSON.readTree("[{\"leader\": \"node1\", \"leader_epoch\": 3}, {\"leader\": \"node2\", \"leader_epoch\": 7}]");

        assertThat(ClusterFollower.promotionEntry(history, NODE2_EPOCH_40)).isNull();
    }

    @Test
    void anEntryWithoutAnEpochOnlyWhenItIsTheNewestAndNamesTheLeader() throws Exception {
        assertThat(ClusterFollower.promotionEntry(JSON.readTree("[{\"leader\": \"node1\"}, {\"leader\": \"node2\"}]"), NODE2_EPOCH_40))
                .isEqualTo(JSON.readTree("{\"leader\": \"node2\"}"));
        assertThat(ClusterFollower.promotionEntry(JSON.readTree("[{\"leader\": \"node2\"}, {\"leader\": \"node1\"}]"), NODE2_EPOCH_40))
                .isNull();
    }

    @Test
    void nothingInAMissingOrEmptyHistory() throws Exception {
        assertThat(ClusterFollower.promotionEntry(null, NODE2_EPOCH_40)).isNull();
        assertThat(ClusterFollower.promotionEntry(JSON.readTree("[]"), NODE2_EPOCH_40)).isNull();
        assertThat(ClusterFollower.promotionEntry(JSON.readTree("{\"leader\": \"node2\"}"), NODE2_EPOCH_40)).isNull();
    }
}
