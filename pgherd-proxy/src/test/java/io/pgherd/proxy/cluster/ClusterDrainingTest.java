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
import io.pgherd.cluster.Member;

/** Which members the cluster drains: by their member record or by their assignment. */
class ClusterDrainingTest {

    private static Member member(String name, boolean draining) {
        return new Member(name, "replica", "streaming", "127.0.0.1", 5432, "", true, true, 1, 0, 0, true, 0, "p", false,
                List.of(), false, false, draining);
    }

    private static ClusterSnapshot snapshot(List<Member> members, List<Assignment> assignments) {
        TreeMap<String, Member> m = new TreeMap<>();
        members.forEach(x -> m.put(x.name(), x));
        TreeMap<String, Assignment> a = new TreeMap<>();
        assignments.forEach(x -> a.put(x.member(), x));
        return new ClusterSnapshot(Optional.empty(), m, Optional.empty(), Optional.empty(), Optional.empty(), 0, Optional.empty(),
                ClusterConfig.absent(), History.EMPTY, new TreeMap<>(), Optional.empty(), new TreeMap<>(), Optional.empty(), a);
    }

    @Test
    void aMemberDrainsWhenItsRecordOrItsAssignmentSaysSo() {
        ClusterSnapshot cluster = snapshot(List.of(member("r1", true), member("r2", false), member("r3", false), member("r4", false)),
                List.of(Assignment.of("r3", Assignment.Role.REPLICA, true, "t", 1),
                        Assignment.of("r4", Assignment.Role.REPLICA, false, "t", 1),
                        Assignment.of("gone", Assignment.Role.REPLICA, true, "t", 1)));
        assertThat(ClusterDraining.of(cluster)).containsExactly("gone", "r1", "r3");
    }

    @Test
    void nothingDrainsInAClusterThatSaysNothing() {
        assertThat(ClusterDraining.of(ClusterSnapshot.empty())).isEmpty();
    }
}
