package io.pgherd.cli;

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
import io.pgherd.cluster.Spec;

/** The read replicas line of list and status: desired against running, spares, draining. */
class ReadReplicasTest {

    private static Member member(String name, String role, boolean running, boolean noFailover, boolean draining) {
        return new Member(name, role, running ? "streaming" : "stopped", "127.0.0.1", 5432, "", running, running, 1, 0, 0,
                noFailover, 0, "n1", false, List.of(), false, false, draining);
    }

    private static ClusterSnapshot snapshot(Optional<Spec> spec, List<Member> members, List<Assignment> assignments) {
        TreeMap<String, Member> m = new TreeMap<>();
        members.forEach(x -> m.put(x.name(), x));
        TreeMap<String, Assignment> a = new TreeMap<>();
        assignments.forEach(x -> a.put(x.member(), x));
        return new ClusterSnapshot(Optional.of(new Leader("n1", 5, 5)), m, Optional.of("n1"), Optional.empty(), Optional.empty(),
                0, Optional.empty(), ClusterConfig.absent(), History.EMPTY, new TreeMap<>(), spec, new TreeMap<>(),
                Optional.empty(), a);
    }

    @Test
    void countsRunningReadReplicasAgainstTheDesiredNumberAndNamesSparesAndDrainingMembers() {
        ReadReplicas r = ReadReplicas.of(snapshot(Optional.of(new Spec(Spec.FORMAT, 3, null)), List.of(
                member("n1", "replica", true, true, false), // the leader is never counted, whatever its record says
                member("n2", "standby", true, false, false),
                member("r1", "replica", true, true, false),
                member("r2", "replica", true, true, true),
                member("r3", "replica", false, true, false),
                member("s1", "spare", false, true, false)),
                List.of(Assignment.of("r1", Assignment.Role.REPLICA, true, "t", 1))));
        assertThat(r).isEqualTo(new ReadReplicas(Optional.of(3), List.of("r1", "r2"), List.of("s1"), List.of("r1", "r2")));
        assertThat(r.line()).contains("read replicas: 2 running, 3 desired; spares: s1; draining: r1, r2");
    }

    @Test
    void saysNothingOfAClusterWithoutReadReplicasSparesOrSpec() {
        ReadReplicas r = ReadReplicas.of(snapshot(Optional.empty(), List.of(member("n2", "standby", true, false, false)), List.of()));
        assertThat(r.line()).isEmpty();
        assertThat(ReadReplicas.of(snapshot(Optional.empty(), List.of(member("r1", "replica", true, true, false)), List.of()))
                .line()).contains("read replicas: 1 running, no desired count set ('pgherd scale --replicas N')");
    }
}
