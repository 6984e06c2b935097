package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.pgherd.agent.ha.ClusterState;

/** What an agent remembers of the leader: the moments a promotion's history entry and the HA rules' waits measure from. */
class LeaderSightingsTest {
    private static final long T0 = 1_700_000_000_000L;

    private static ClusterState ledBy(String leader) {
        return new ClusterState(leader == null ? Optional.empty() : Optional.of(new ClusterState.Leader(leader, 7)), Map.of(),
                Optional.of("node1"), 100, Optional.empty(), Optional.empty(), false);
    }

    @Test
    void nothingSeenBeforeAnyLeader() {
        LeaderSightings sightings = new LeaderSightings();
        assertThat(sightings.previousLeader()).isEmpty();
        assertThat(sightings.lastSeenMillis()).isZero();
        assertThat(sightings.goneMillis()).isZero();
        assertThat(sightings.leaderlessMillis(ledBy(null), T0)).isZero();
    }

    @Test
    void aLeaderSeenIsRememberedWithTheMomentItWasLastSeen() {
        LeaderSightings sightings = new LeaderSightings();
        sightings.seen(ledBy("node1"), T0);
        sightings.seen(ledBy("node1"), T0 + 1_000);
        assertThat(sightings.previousLeader()).isEqualTo("node1");
        assertThat(sightings.lastSeenMillis()).isEqualTo(T0 + 1_000);
        assertThat(sightings.leaderlessMillis(ledBy("node1"), T0 + 1_000)).isZero();
    }

    @Test
    void theKeyGoneCountsFromTheFirstCycleWithoutALeader() {
        LeaderSightings sightings = new LeaderSightings();
        sightings.seen(ledBy("node1"), T0);
        sightings.seen(ledBy(null), T0 + 2_000);
        sightings.seen(ledBy(null), T0 + 3_000);
        assertThat(sightings.goneMillis()).isEqualTo(T0 + 2_000);
        assertThat(sightings.leaderlessMillis(ledBy(null), T0 + 5_000)).isEqualTo(3_000);
        assertThat(sightings.previousLeader()).as("the leader lost").isEqualTo("node1");
        assertThat(sightings.lastSeenMillis()).isEqualTo(T0);
    }

    @Test
    void theWatchSeesTheKeyGoneBeforeTheNextCycle() {
        LeaderSightings sightings = new LeaderSightings();
        sightings.seen(ledBy("node1"), T0);
        sightings.keyDeleted(T0 + 500);
        sightings.seen(ledBy(null), T0 + 2_000);
        assertThat(sightings.goneMillis()).as("the watch's moment stands").isEqualTo(T0 + 500);
        assertThat(sightings.leaderlessMillis(ledBy(null), T0 + 2_000)).isEqualTo(1_500);
    }

    @Test
    void aNewLeaderClearsTheKeyGone() {
        LeaderSightings sightings = new LeaderSightings();
        sightings.seen(ledBy("node1"), T0);
        sightings.keyDeleted(T0 + 500);
        sightings.seen(ledBy("node2"), T0 + 2_000);
        assertThat(sightings.goneMillis()).isZero();
        assertThat(sightings.previousLeader()).isEqualTo("node2");
        assertThat(sightings.leaderlessMillis(ledBy("node2"), T0 + 3_000)).isZero();
    }

    @Test
    void aClockGoingBackCountsNoNegativeWait() {
        LeaderSightings sightings = new LeaderSightings();
        sightings.keyDeleted(T0);
        assertThat(sightings.leaderlessMillis(ledBy(null), T0 - 1_000)).isZero();
    }
}
