package io.pgherd.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Member;

/** Cluster states for the unit tests: n1 leads at {@link #LEADER_POSITION}; members are built by name and role. */
final class Clusters {
    static final long LEADER_POSITION = 80_000_000;

    private Clusters() {
    }

    static Member leader(String name) {
        return new Member(name, "standby", "running", "127.0.0.1", port(name), "http://127.0.0.1:8008", true, false, 3,
                LEADER_POSITION, LEADER_POSITION, false, 1, "");
    }

    static Member standby(String name, long behind) {
        return new Member(name, "standby", "streaming", "127.0.0.1", port(name), "http://127.0.0.1:8008", true, true, 3,
                LEADER_POSITION - behind, LEADER_POSITION - behind, false, 1, "n1");
    }

    static Member replica(String name) {
        return new Member(name, "replica", "streaming", "127.0.0.1", port(name), "http://127.0.0.1:8008", true, true, 3,
                LEADER_POSITION - 10, LEADER_POSITION - 10, true, 1, "n1");
    }

    static Member stopped(String name) {
        return new Member(name, "standby", "stopped", "127.0.0.1", port(name), "http://127.0.0.1:8008", false, false, 0, 0, 0,
                false, 1, "");
    }

    static ClusterState state(Optional<String> leader, Member... members) {
        return new ClusterState(leader.map(l -> new ClusterState.Leader(l, 7)), byName(members), Optional.of("n1"),
                LEADER_POSITION, Optional.empty(), Optional.empty(), false);
    }

    /** n1 leads; n2 and n5 are running standbys (n5 further behind), n3 a read replica, n4 a stopped standby. */
    static ClusterState typical() {
        return state(Optional.of("n1"), leader("n1"), standby("n2", 100), replica("n3"), stopped("n4"), standby("n5", 5000));
    }

    static ClusterState with(ClusterState s, Optional<ClusterState.Switchover> switchover, Optional<String> sync, boolean paused) {
        return new ClusterState(s.leader(), s.members(), s.initializedBy(), s.lastLeaderPosition(), switchover,
                sync.map(ClusterState.Sync::withoutLeader), paused);
    }

    static ClusterState ledBy(ClusterState s, Optional<String> leader) {
        return new ClusterState(leader.map(l -> new ClusterState.Leader(l, 8)), s.members(), s.initializedBy(),
                s.lastLeaderPosition(), s.switchover(), s.sync(), s.paused());
    }

    private static Map<String, Member> byName(Member... members) {
        return Arrays.stream(members).collect(Collectors.toMap(Member::name, Function.identity()));
    }

    private static int port(String name) {
        return 5430 + Integer.parseInt(name.substring(1));
    }
}
