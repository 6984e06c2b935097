package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/** What an agent remembers of the members it saw, and which slots it keeps once it leads (node1 leads, retention 10 s). */
class SeenMembersTest {
    private static final long RETENTION = 10_000;
    private static final long T0 = 1_700_000_000_000L;

    private static Member member(String name, String role) {
        return new Member(name, role, "streaming", "127.0.0.1", 5432, "", true, true, 1, 100, 100, false, 0, "node1", false,
                List.of(), false, false);
    }

    /** node1 leads; {@code others} are "name" (a standby) or "name:spare". */
    private static ClusterState cluster(String... others) {
        Map<String, Member> members = new HashMap<>();
        members.put("node1", member("node1", "standby"));
        for (String o : others) {
            String name = o.split(":")[0];
            members.put(name, member(name, o.endsWith(":spare") ? "spare" : "standby"));
        }
        return new ClusterState(Optional.of(new ClusterState.Leader("node1", 7)), members, Optional.of("node1"), 100,
                Optional.empty(), Optional.empty(), false);
    }

    @Test
    void everyMemberSeenKeepsASlotButTheLeader() {
        SeenMembers seen = new SeenMembers(RETENTION);
        seen.observe(cluster("node2", "node3"), T0);
        assertThat(seen.toKeep(cluster("node2", "node3"), "node1", T0)).containsExactly("node2", "node3");
    }

    @Test
    void aMemberGoneKeepsItsSlotWithinTheRetentionOnly() {
        SeenMembers seen = new SeenMembers(RETENTION);
        seen.observe(cluster("node2", "node3"), T0);
        seen.observe(cluster("node2"), T0 + 5_000);
        assertThat(seen.toKeep(cluster("node2"), "node1", T0 + RETENTION)).containsExactly("node2", "node3");
        assertThat(seen.toKeep(cluster("node2"), "node1", T0 + RETENTION + 1)).containsExactly("node2");
    }

    @Test
    void aSpareIsForgottenAtOnce() {
        SeenMembers seen = new SeenMembers(RETENTION);
        seen.observe(cluster("node2", "r3"), T0);
        seen.observe(cluster("node2", "r3:spare"), T0 + 1);
        assertThat(seen.toKeep(cluster("node2", "r3:spare"), "node1", T0 + 1)).containsExactly("node2");
    }

    @Test
    void aMemberSeenDrainingKeepsNoSlotOnceItsRecordIsGone() {
        SeenMembers seen = new SeenMembers(RETENTION);
        seen.observe(cluster("node2", "r3"), T0);
        seen.observeAssignments(Map.of("r3", Assignment.of("r3", Assignment.Role.REPLICA, true, "t-1", 3)));
        assertThat(seen.toKeep(cluster("node2", "r3"), "node1", T0)).containsExactly("node2", "r3");
        // Released: the assignment is deleted and the record gone; the slot does not come back.
        seen.observe(cluster("node2"), T0 + 1);
        seen.observeAssignments(Map.of());
        assertThat(seen.toKeep(cluster("node2"), "node1", T0 + 1)).containsExactly("node2");
    }

    @Test
    void aMemberGoneThatWasNotDrainingKeepsItsSlot() {
        SeenMembers seen = new SeenMembers(RETENTION);
        seen.observe(cluster("node2", "r3"), T0);
        seen.observeAssignments(Map.of("r3", Assignment.of("r3", Assignment.Role.REPLICA, false, "t-1", 3)));
        seen.observe(cluster("node2"), T0 + 1);
        seen.observeAssignments(Map.of());
        assertThat(seen.toKeep(cluster("node2"), "node1", T0 + 1)).containsExactly("node2", "r3");
    }
}
