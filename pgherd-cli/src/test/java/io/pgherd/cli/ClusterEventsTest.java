package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.FailoverRequest;
import io.pgherd.cluster.History;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;

class ClusterEventsTest {
    private static final HistoryEntry BOOTSTRAP = promotion("n1", null, "failover", 1);

    private static Member primary(String name, int timeline) {
        return new Member(name, "standby", "running", "127.0.0.1", 5432, "http://127.0.0.1:8008", true, false, timeline, 100,
                100, false, 1, "");
    }

    private static Member standby(String name, String following, int timeline) {
        return new Member(name, "standby", "streaming", "127.0.0.1", 5432, "http://127.0.0.1:8008", true, true, timeline, 90,
                90, false, 1, following);
    }

    private static Member stopped(String name) {
        return new Member(name, "standby", "stopped", "127.0.0.1", 5432, "http://127.0.0.1:8008", false, false, 0, 0, 0,
                false, 1, "");
    }

    private static Member pending(Member m, List<String> parameters) {
        return new Member(m.name(), m.role(), m.state(), m.host(), m.port(), m.apiUrl(), m.running(), m.inRecovery(),
                m.timeline(), m.position(), m.replayed(), m.noFailover(), m.failoverPriority(), m.following(), true, parameters);
    }

    private static HistoryEntry promotion(String leader, String previous, String reason, int timeline) {
        return new HistoryEntry(leader, previous, reason, timeline, 100, "2026-12-07T00:00:00Z", 7, null, null, null);
    }

    private static ClusterSnapshot snapshot(Optional<Leader> leader, List<HistoryEntry> history, boolean paused,
                                            Member... members) {
        TreeMap<String, Member> byName = new TreeMap<>();
        for (Member m : members) {
            byName.put(m.name(), m);
        }
        ClusterConfig config = paused ? new ClusterConfig(JsonNodeFactory.instance.objectNode().put("pause", true),
                Optional.of(1L)) : ClusterConfig.absent();
        return new ClusterSnapshot(leader, byName, Optional.of("n1"), Optional.empty(), Optional.empty(), 0, Optional.empty(),
                config, new History(history), new TreeMap<>(), Optional.empty(), new TreeMap<>(), Optional.empty());
    }

    private static Optional<Leader> led(String member, long epoch) {
        return Optional.of(new Leader(member, epoch, epoch));
    }

    /** n1 leads (epoch 10), n2 and n3 stream from it on timeline 1. */
    private static final ClusterSnapshot HEALTHY = snapshot(led("n1", 10), List.of(BOOTSTRAP), false, primary("n1", 1),
            standby("n2", "n1", 1), standby("n3", "n1", 1));

    @Test
    void nothingChangedSaysNothing() {
        assertThat(ClusterEvents.between(HEALTHY, HEALTHY)).isEmpty();
    }

    @Test
    void aFailoverIsToldStepByStep() {
        ClusterSnapshot lost = snapshot(Optional.empty(), List.of(BOOTSTRAP), false, standby("n2", "n1", 1),
                standby("n3", "n1", 1));
        ClusterSnapshot promoted = snapshot(led("n2", 20), List.of(BOOTSTRAP, promotion("n2", "n1", "failover", 2)), false,
                primary("n2", 2), standby("n3", "n2", 2));
        ClusterSnapshot rejoined = snapshot(led("n2", 20), promoted.history().entries(), false, primary("n2", 2),
                standby("n3", "n2", 2), standby("n1", "n2", 2));

        assertThat(ClusterEvents.between(HEALTHY, lost)).containsExactly(
                "n1's leader key is gone; the cluster has no leader",
                "n1 left the cluster (its agent stopped or lost its DCS session)");
        assertThat(ClusterEvents.between(lost, promoted)).containsExactly(
                "n2 promoted (failover: n1 lost), timeline 2",
                "n3 follows n2 (was n1)");
        assertThat(ClusterEvents.between(promoted, rejoined)).containsExactly("n1 joined (follows n2, timeline 2)");
    }

    @Test
    void aSwitchoverNamesTheFormerLeaderAndTheOldPrimaryRejoining() {
        ClusterSnapshot after = snapshot(led("n2", 20), List.of(BOOTSTRAP, promotion("n2", "n1", "switchover", 2)), false,
                standby("n1", "n2", 2), primary("n2", 2), standby("n3", "n2", 2));

        assertThat(ClusterEvents.between(HEALTHY, after)).containsExactly(
                "n2 promoted (switchover from n1), timeline 2",
                "n1 rejoined as a standby (follows n2, timeline 2)",
                "n3 follows n2 (was n1)");
    }

    @Test
    void aSwitchoverSeenStepByStepSaysTheKeyWasHandedOverNotLost() {
        ClusterSnapshot requested = new ClusterSnapshot(HEALTHY.leader(), HEALTHY.members(), HEALTHY.initializedBy(),
                Optional.empty(), Optional.of(new FailoverRequest("n1", "n2", 0)), 5, Optional.empty(), HEALTHY.config(),
                HEALTHY.history(), new TreeMap<>(), Optional.empty(), new TreeMap<>(), Optional.empty());
        ClusterSnapshot released = snapshot(Optional.empty(), List.of(BOOTSTRAP), false, stopped("n1"),
                standby("n2", "n1", 1), standby("n3", "n1", 1));
        ClusterSnapshot taken = snapshot(led("n2", 20), List.of(BOOTSTRAP), false, stopped("n1"), standby("n2", "n1", 1),
                standby("n3", "n1", 1));
        ClusterSnapshot promoted = snapshot(led("n2", 20), List.of(BOOTSTRAP, promotion("n2", "n1", "switchover", 2)), false,
                stopped("n1"), primary("n2", 2), standby("n3", "n2", 2));

        assertThat(ClusterEvents.between(HEALTHY, requested)).isEmpty();
        assertThat(ClusterEvents.between(requested, released)).containsExactly(
                "n1 released the leader key for the requested switchover to n2", "n1's PostgreSQL is stopped");
        assertThat(ClusterEvents.between(released, taken)).containsExactly("n2 took the leader key");
        assertThat(ClusterEvents.between(taken, promoted)).containsExactly("n2 promoted (switchover from n1), timeline 2",
                "n3 follows n2 (was n1)");
    }

    @Test
    void postgresStoppedAndStartedAgainIsTold() {
        ClusterSnapshot down = snapshot(led("n1", 10), List.of(BOOTSTRAP), false, primary("n1", 1), standby("n2", "n1", 1),
                stopped("n3"));

        assertThat(ClusterEvents.between(HEALTHY, down)).containsExactly("n3's PostgreSQL is stopped");
        assertThat(ClusterEvents.between(down, HEALTHY)).containsExactly("n3 started PostgreSQL (follows n1, timeline 1)");
    }

    @Test
    void theLeaderKeyTakenAgainWithoutAPromotionIsTold() {
        ClusterSnapshot again = snapshot(led("n1", 11), List.of(BOOTSTRAP), false, primary("n1", 1), standby("n2", "n1", 1),
                standby("n3", "n1", 1));

        assertThat(ClusterEvents.between(HEALTHY, again)).containsExactly("n1 took the leader key again");
    }

    @Test
    void aPendingRestartAndMaintenanceModeAreTold() {
        ClusterSnapshot after = snapshot(led("n1", 10), List.of(BOOTSTRAP), true, primary("n1", 1),
                pending(standby("n2", "n1", 1), List.of("shared_buffers")), standby("n3", "n1", 1));

        assertThat(ClusterEvents.between(HEALTHY, after)).containsExactly(
                "n2 needs a restart of PostgreSQL for shared_buffers ('pgherd restart n2')",
                "maintenance mode on: the agents make no automatic failover");
        assertThat(ClusterEvents.between(after, HEALTHY)).containsExactly(
                "maintenance mode off: automatic failover again");
    }

    @Test
    void aMemberDrainingAndBackIsTold() {
        Member n3 = standby("n3", "n1", 1);
        Member draining = new Member(n3.name(), n3.role(), n3.state(), n3.host(), n3.port(), n3.apiUrl(), n3.running(),
                n3.inRecovery(), n3.timeline(), n3.position(), n3.replayed(), n3.noFailover(), n3.failoverPriority(),
                n3.following(), false, List.of(), false, false, true);
        ClusterSnapshot after = snapshot(led("n1", 10), List.of(BOOTSTRAP), false, primary("n1", 1), standby("n2", "n1", 1),
                draining);

        assertThat(ClusterEvents.between(HEALTHY, after)).containsExactly(
                "n3 is draining: the proxies send it no new reads");
        assertThat(ClusterEvents.between(after, HEALTHY)).containsExactly(
                "n3 is no longer draining: it takes reads again");
    }

    @Test
    void aPromotionWithoutPreviousLeaderOrReasonStillReadsWell() {
        ClusterSnapshot after = snapshot(led("n2", 20), List.of(BOOTSTRAP, promotion("n2", null, null, 0)), false,
                primary("n2", 2));
        ClusterSnapshot before = snapshot(Optional.empty(), List.of(BOOTSTRAP), false, standby("n2", "", 1));

        assertThat(ClusterEvents.between(before, after)).containsExactly("n2 promoted (no reason recorded)");
    }
}
