package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.agent.ha.Decision.Action;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * The rules of a spare agent: each row an assignment, what the node holds and the cluster, with the action, its
 * target and the exact sentence. This member is {@value #ME}; node1 leads.
 */
class SpareRulesTest {
    private static final String ME = "spare1";
    private static final long NOW = 1_700_000_000_000L;
    private static final HaSettings SPARE = new HaSettings(ME, true, 0, 1_000, false, 3);

    private static Member member(String name, String role, boolean running, boolean inRecovery, String following,
                                 boolean noFailover, boolean cloneFrom) {
        return new Member(name, role, running ? "running" : "stopped", "127.0.0.1", 5432, "", running, inRecovery,
                running ? 1 : 0, 100, 100, noFailover, 0, following, false, List.of(), false, cloneFrom);
    }

    /** node1 leads; {@code others} are "name:kind" with kind standby, stopped-standby, replica, clonefrom-replica, spare. */
    private static ClusterState cluster(boolean leader, String others) {
        Map<String, Member> members = new HashMap<>();
        members.put("node1", member("node1", "standby", true, false, "", false, false));
        for (String o : others.isBlank() ? new String[0] : others.split(" ")) {
            String name = o.split(":")[0];
            Member m = switch (o.split(":")[1]) {
                case "standby" -> member(name, "standby", true, true, "node1", false, false);
                case "stopped-standby" -> member(name, "standby", false, false, "", false, false);
                case "replica" -> member(name, "replica", true, true, "node1", true, false);
                case "clonefrom-replica" -> member(name, "replica", true, true, "node1", true, true);
                case "spare" -> member(name, "spare", false, false, "", true, false);
                default -> throw new IllegalArgumentException(o);
            };
            members.put(name, m);
        }
        return new ClusterState(leader ? Optional.of(new ClusterState.Leader("node1", 7)) : Optional.empty(), members,
                Optional.of("node1"), 100, Optional.empty(), Optional.empty(), false);
    }

    /**
     * "none" (read, no key: never written or deleted), "unreadable" (read, the key holds what cannot be parsed),
     * "unread" (the DCS read failed), "replica", "spare", "newer", or "replica-from-NAME": assigned a read replica to
     * clone from NAME.
     */
    private static AssignmentRead assignment(String role) {
        if (role.startsWith("replica-from-")) {
            return new AssignmentRead.Found(Assignment.of(ME, Assignment.Role.REPLICA, false, "t-1", 3)
                    .withCloneFrom(role.substring("replica-from-".length())));
        }
        return switch (role) {
            case "none" -> new AssignmentRead.Absent();
            case "unreadable" -> new AssignmentRead.Unreadable();
            case "unread" -> new AssignmentRead.NotRead();
            case "replica" -> new AssignmentRead.Found(Assignment.of(ME, Assignment.Role.REPLICA, false, "t-1", 3));
            case "spare" -> new AssignmentRead.Found(Assignment.of(ME, Assignment.Role.SPARE, false, "t-2", 3));
            case "newer" -> new AssignmentRead.Found(new Assignment(Assignment.FORMAT + 1, ME, Assignment.Role.REPLICA, false,
                    "t-3", 3));
            default -> throw new IllegalArgumentException(role);
        };
    }

    private static LocalState local(String node) {
        return switch (node) {
            case "empty" -> new LocalState(true, true, false, false, false, false, "", 0, 0);
            case "stopped" -> new LocalState(true, true, true, false, false, false, "", 0, 0);
            case "streaming" -> new LocalState(true, true, true, true, true, false, "node1", 100, 0);
            default -> throw new IllegalArgumentException(node);
        };
    }

    @ParameterizedTest(name = "{0} / {1} / leader {2} / {3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            none    | empty     | true  |                                         | NONE   |       | spare: no data, waiting for the controller to assign this member
            spare   | empty     | true  |                                         | NONE   |       | spare: no data, waiting for the controller to assign this member
            none    | streaming | true  |                                         | RETIRE |       | no longer assigned as a read replica (no assignment): stopping PostgreSQL and wiping its data to be a spare again
            spare   | stopped   | true  |                                         | RETIRE |       | no longer assigned as a read replica (assigned spare): stopping PostgreSQL and wiping its data to be a spare again
            newer   | streaming | true  |                                         | NONE   |       | the assignment of this member is of a newer release (format 2, role REPLICA): leaving the member as it is
            newer   | empty     | true  |                                         | NONE   |       | the assignment of this member is of a newer release (format 2, role REPLICA): leaving the member as it is
            replica | empty     | false | node2:standby                           | NONE   |       | assigned as a read replica, but the cluster has no leader: waiting
            replica | empty     | true  | node2:standby node3:clonefrom-replica   | CLONE  | node3 | assigned as a read replica: cloning it from node3 (tagged clonefrom), a standby of the leader node1
            replica | empty     | true  | node3:standby node2:standby node4:replica | CLONE | node2 | assigned as a read replica: cloning it from node2, a standby of the leader node1
            replica | empty     | true  | node2:stopped-standby node3:replica node4:spare | CLONE | node1 | assigned as a read replica: cloning it from the leader node1 (no running standby to clone from)
            replica | empty     | true  |                                         | CLONE  | node1 | assigned as a read replica: cloning it from the leader node1 (no running standby to clone from)
            replica | stopped   | true  |                                         | START_AS_STANDBY | node1 | PostgreSQL is stopped: starting it as a standby of node1
            replica | streaming | true  |                                         | NONE   |       | following the leader node1
            replica | streaming | false |                                         | NONE   |       | no leader; this read replica never takes the key
            replica-from-node4 | empty | true | node2:standby node4:replica         | CLONE  | node4 | assigned as a read replica: cloning it from node4, as the controller asks
            replica-from-node1 | empty | true | node2:standby                       | CLONE  | node1 | assigned as a read replica: cloning it from node1, as the controller asks
            replica-from-node2 | empty | true | node2:stopped-standby node3:standby | CLONE  | node3 | assigned as a read replica: cloning it from node3, a standby of the leader node1
            replica-from-node9 | empty | true | node2:standby                       | CLONE  | node2 | assigned as a read replica: cloning it from node2, a standby of the leader node1
            replica-from-spare1 | empty | true | node2:standby                      | CLONE  | node2 | assigned as a read replica: cloning it from node2, a standby of the leader node1
            replica-from-node4 | stopped | true | node4:replica                     | START_AS_STANDBY | node1 | PostgreSQL is stopped: starting it as a standby of node1
            none       | stopped   | true  |                                      | RETIRE |       | no longer assigned as a read replica (no assignment): stopping PostgreSQL and wiping its data to be a spare again
            unreadable | streaming | true  |                                      | NONE   |       | the assignment of this member cannot be read: keeping its data until it is known; following the leader node1
            unreadable | stopped   | true  |                                      | START_AS_STANDBY | node1 | the assignment of this member cannot be read: keeping its data until it is known; PostgreSQL is stopped: starting it as a standby of node1
            unreadable | streaming | false |                                      | NONE   |       | the assignment of this member cannot be read: keeping its data until it is known; no leader; this read replica never takes the key
            unreadable | empty     | true  | node2:standby                        | NONE   |       | the assignment of this member cannot be read: waiting as a spare until it is known
            unread     | streaming | true  |                                      | NONE   |       | the assignment of this member was not read: keeping its data until it is known; following the leader node1
            unread     | stopped   | true  |                                      | START_AS_STANDBY | node1 | the assignment of this member was not read: keeping its data until it is known; PostgreSQL is stopped: starting it as a standby of node1
            unread     | empty     | true  | node2:standby                        | NONE   |       | the assignment of this member was not read: waiting as a spare until it is known
            """)
    void aSpareClonesWhenAssignedServesUnderTheHaRulesAndWipesItselfWhenReleased(String assigned, String node, boolean leader,
                                                                                 String others, Action action, String target,
                                                                                 String sentence) {
        Decision d = SpareRules.decide(cluster(leader, others == null ? "" : others), local(node), SPARE, assignment(assigned), NOW);
        assertThat(d).isEqualTo(new Decision(action, target == null ? "" : target, sentence));
    }

    @Test
    void aSpareNeverInitializesAClusterNorTakesTheKey() {
        ClusterState none = new ClusterState(Optional.empty(), Map.of(), Optional.empty(), 0, Optional.empty(), Optional.empty(),
                false);
        for (String a : List.of("none", "spare", "replica")) {
            assertThat(SpareRules.decide(none, local("empty"), SPARE, assignment(a), NOW).action()).as(a).isEqualTo(Action.NONE);
        }
    }

    @Test
    void aSpareCutOffFromTheDcsChangesNothing() {
        LocalState cutOff = new LocalState(false, true, true, true, true, false, "node1", 100, 0);
        for (String a : List.of("none", "spare", "unreadable", "unread")) {
            assertThat(SpareRules.decide(cluster(true, ""), cutOff, SPARE, assignment(a), NOW)).as(a)
                    .isEqualTo(new Decision(Action.NONE, "", "the DCS cannot be reached: changing nothing until it answers"));
        }
    }

    /**
     * A spare wipes its data only on an assignment read from the DCS that says spare, or on none there (deleted):
     * never on one it could not read, nor in a cycle whose read failed, whatever the rest of the cluster looks like.
     */
    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            unreadable | streaming
            unreadable | stopped
            unread     | streaming
            unread     | stopped
            """)
    void aSpareNeverWipesItsDataOnAnAssignmentItCouldNotRead(String assigned, String node) {
        for (boolean leader : List.of(true, false)) {
            for (String others : List.of("", "node2:standby", "node2:spare node3:replica")) {
                Decision d = SpareRules.decide(cluster(leader, others), local(node), SPARE, assignment(assigned), NOW);
                assertThat(d.action()).as(assigned + " / " + node + " / leader " + leader + " / " + others)
                        .isNotIn(Action.RETIRE, Action.CLONE, Action.RECLONE);
            }
        }
    }

    @ParameterizedTest(name = "{0}, before {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            replica    | false | true
            spare      | true  | false
            none       | true  | false
            newer      | true  | false
            unreadable | true  | true
            unreadable | false | false
            unread     | true  | true
            unread     | false | false
            """)
    void aReadThatToldNothingLeavesWhatTheSparePublishes(String assigned, boolean before, boolean after) {
        assertThat(SpareRules.assigned(assignment(assigned), before)).isEqualTo(after);
    }

    @Test
    void theLeaderKeepsNoSlotForASpare() {
        assertThat(SpareRules.needsSlot(member("s", "spare", false, false, "", true, false))).isFalse();
        assertThat(SpareRules.needsSlot(member("r", "replica", true, true, "node1", true, false))).isTrue();
        assertThat(SpareRules.needsSlot(member("s", "standby", true, true, "node1", false, false))).isTrue();
    }
}
