package io.pgherd.controller.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.controller.TaskRequest;
import io.pgherd.controller.task.TaskType;
import io.pgherd.controller.task.TaskType.Takeover;

/**
 * What the read replica reconciler asks the controller for: each action of {@link ReplicaRules} as the task to
 * create (or none), and, read from one snapshot, the spec and the replica tasks with their members.
 */
class ReplicaReconcilerTest {
    private static final TaskType ADD = type(ReplicaTask.ADD);
    private static final TaskType REMOVE = type(ReplicaTask.REMOVE);
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void anAddIsAnAddReplicaTaskWithTheMemberItsProvisionerAndCloneSource() {
        Optional<TaskRequest> r = ReplicaReconciler.request(new ReplicaAction.Add("node4", "local", "node2", "why"), ADD, REMOVE);

        assertThat(r).contains(new TaskRequest(ADD, Map.of("member", "node4", "provisioner", "local", "clone_from", "node2"),
                "why"));
    }

    @Test
    void aRemoveIsARemoveReplicaTaskWithTheMember() {
        Optional<TaskRequest> r = ReplicaReconciler.request(new ReplicaAction.Remove("node4", "why"), ADD, REMOVE);

        assertThat(r).contains(new TaskRequest(REMOVE, Map.of("member", "node4"), "why"));
    }

    @Test
    void aWaitOrNothingToDoIsNoTask() {
        assertThat(ReplicaReconciler.request(new ReplicaAction.Wait("a task runs"), ADD, REMOVE)).isEmpty();
        assertThat(ReplicaReconciler.request(new ReplicaAction.Nothing("as wanted"), ADD, REMOVE)).isEmpty();
    }

    @Test
    void readsTheSpecAndTheTasksOfTheSnapshot() {
        ReplicaReconciler reconciler = new ReplicaReconciler(new ReplicaRules(new ReplicaRules.Policy(Provisioner.LOCAL,
                1_000_000, 60_000, "node")), ADD, REMOVE);
        Task added = Task.pending("add_replica-3-1", ReplicaTask.ADD, ADD.stepNames(), Map.of("member", "node3"), NOW - 1000)
                .withState(Task.State.SUCCEEDED, NOW - 500);

        assertThat(reconciler.reconcile(snapshot(2, Map.of()), NOW)).as("1 of 2: add node4")
                .map(TaskRequest::parameters).contains(Map.of("member", "node4", "provisioner", "local", "clone_from", "node2"));
        assertThat(reconciler.reconcile(snapshot(0, Map.of(added.id(), added)), NOW)).as("remove node3, which a task made")
                .map(TaskRequest::parameters).contains(Map.of("member", "node3"));
        assertThat(reconciler.reconcile(snapshot(0, Map.of()), NOW)).as("node3 not made by a task: left").isEmpty();
        assertThat(reconciler.reconcile(snapshot(1, Map.of()), NOW)).as("as wanted").isEmpty();
    }

    /** node1 leads, node2 is its standby, node3 a read replica; the spec wants {@code replicas}. */
    private static ClusterSnapshot snapshot(int replicas, Map<String, Task> tasks) {
        TreeMap<String, Member> members = new TreeMap<>();
        members.put("node1", member("node1", "primary", false, false));
        members.put("node2", member("node2", "replica", true, false));
        members.put("node3", member("node3", "replica", true, true));
        return new ClusterSnapshot(Optional.of(new Leader("node1", 7, 7)), members, Optional.of("node1"), Optional.empty(),
                Optional.empty(), 0, Optional.empty(), new ClusterConfig(JsonNodeFactory.instance.objectNode(), Optional.of(1L)),
                History.EMPTY, new TreeMap<>(), Optional.of(new Spec(Spec.FORMAT, replicas, null)), new TreeMap<>(tasks),
                Optional.empty());
    }

    private static Member member(String name, String role, boolean inRecovery, boolean noFailover) {
        return new Member(name, role, "running", "127.0.0.1", 5432, null, true, inRecovery, 1, 100, 100, noFailover, 0,
                inRecovery ? "node1" : null, false, List.of(), false, false, false);
    }

    private static TaskType type(String name) {
        return new TaskType(name, List.of(new TaskType.Step("s", c -> { }, c -> { }, Takeover.RESUME)));
    }
}
