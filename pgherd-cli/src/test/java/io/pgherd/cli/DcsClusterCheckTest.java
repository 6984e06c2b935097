package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;

/** Which directory may use a cluster name in a DCS, from what the DCS holds under it. */
class DcsClusterCheckTest {
    private static final String DCS = "etcd://127.0.0.1:2379";

    private static ClusterSnapshot held(Optional<String> systemId) {
        ClusterSnapshot e = ClusterSnapshot.empty();
        TreeMap<String, Member> members = new TreeMap<>();
        members.put("node1", Clusters.leader("n1"));
        return new ClusterSnapshot(e.leader(), members, Optional.of("node1"), e.status(), e.failover(), 0, e.sync(), e.config(),
                e.history(), e.proxies(), e.spec(), e.tasks(), systemId);
    }

    @Test
    void aNewDirectoryMayUseANameTheDcsDoesNotHold() {
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", ClusterSnapshot.empty(), Optional.empty(), true)).isEmpty();
    }

    @Test
    void aNewDirectoryIsRefusedANameTheDcsHoldsWithAHintAtCluster() {
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", held(Optional.of("7001")), Optional.empty(), true)).hasValue(
                "the DCS etcd://127.0.0.1:2379 already holds a cluster named pgherd (initialized by node1, system identifier"
                        + " 7001, members node1) that this new directory did not create: choose another name for this one"
                        + " with --cluster NAME, or run pgherd in the directory of that cluster");
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", held(Optional.empty()), Optional.empty(), true))
                .as("a cluster of a version that recorded no identifier").isPresent();
    }

    @Test
    void anExistingDirectoryMustHoldTheDataTheDcsRecords() {
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", held(Optional.of("7001")), Optional.of("7001"), false)).isEmpty();
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", held(Optional.empty()), Optional.of("7001"), false)).isEmpty();
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", ClusterSnapshot.empty(), Optional.of("7001"), false)).isEmpty();
        assertThat(DcsClusterCheck.problem(DCS, "pgherd", held(Optional.of("7001")), Optional.of("8002"), false))
                .hasValueSatisfying(m -> assertThat(m).contains("system identifier 7001", "system identifier 8002",
                        "another cluster took the name"));
    }
}
