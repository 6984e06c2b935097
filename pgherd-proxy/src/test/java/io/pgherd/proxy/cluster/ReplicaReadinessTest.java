package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;

/** Which members are new replicas that take no reads yet: by their assignment's {@code ready}. */
class ReplicaReadinessTest {

    private static ClusterSnapshot snapshot(Optional<String> leader, List<Assignment> assignments) {
        TreeMap<String, Assignment> a = new TreeMap<>();
        assignments.forEach(x -> a.put(x.member(), x));
        return new ClusterSnapshot(leader.map(l -> new Leader(l, 3, 3)), new TreeMap<String, Member>(), Optional.empty(),
                Optional.empty(), Optional.empty(), 0, Optional.empty(), ClusterConfig.absent(), History.EMPTY, new TreeMap<>(),
                Optional.empty(), new TreeMap<>(), Optional.empty(), a);
    }

    private static Assignment replica(String member, boolean ready) {
        return Assignment.of(member, Assignment.Role.REPLICA, false, "t", 1).withCloneFrom("node2").withReady(ready);
    }

    @Test
    void aReplicaWhoseAssignmentSaysNotReadyTakesNoReads() {
        ClusterSnapshot cluster = snapshot(Optional.of("node1"), List.of(replica("node5", false), replica("node6", true),
                replica("node7", false).withDraining(true)));
        assertThat(ReplicaReadiness.notReady(cluster)).containsExactly("node5", "node7");
    }

    @Test
    void aRecordWithoutTheFieldASpareAndANewerReleaseSayNothing() {
        ClusterSnapshot cluster = snapshot(Optional.of("node1"), List.of(
                Assignment.of("node5", Assignment.Role.REPLICA, false, "t", 1),
                Assignment.of("node6", Assignment.Role.SPARE, false, "t", 1).withReady(false),
                new Assignment(Assignment.FORMAT + 1, "node7", Assignment.Role.REPLICA, false, "t", 1, null, false)));
        assertThat(ReplicaReadiness.notReady(cluster)).isEmpty();
    }

    @Test
    void theLeaderIsNeverKeptOut() {
        assertThat(ReplicaReadiness.notReady(snapshot(Optional.of("node5"), List.of(replica("node5", false))))).isEmpty();
    }

    @Test
    void nothingIsKeptOutInAClusterThatSaysNothing() {
        assertThat(ReplicaReadiness.notReady(ClusterSnapshot.empty())).isEmpty();
    }
}
