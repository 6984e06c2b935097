package io.pgherd.controller.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;
import io.pgherd.controller.task.TaskPruning;

/**
 * Pruning never changes which members the controller manages ({@link ReplicaRules#managed}), even keeping no
 * finished task at all, and keeps a failed add_replica within the retry delay. Each row is a history of replica tasks,
 * one scale task at a time as the rules run them (each created after the previous ended).
 */
class ReplicaRetentionTest {
    private static final long RETRY = 300_000;

    /** A history: each task created at {@code 1000 * k} and ended 500 ms later, in the order given. */
    private static List<ReplicaTask> history(String... steps) {
        List<ReplicaTask> tasks = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            String[] s = steps[k].split(" ");
            String type = s[0].equals("add") ? ReplicaTask.ADD : s[0].equals("remove") ? ReplicaTask.REMOVE : s[0];
            State state = switch (s[2]) {
                case "ok" -> State.SUCCEEDED;
                case "failed" -> State.FAILED;
                case "cancelled" -> State.CANCELLED;
                default -> State.RUNNING;
            };
            long created = 1000L * (k + 1);
            tasks.add(new ReplicaTask("t" + (k + 1), type, state, s[1], created, state == State.RUNNING ? 0 : created + 500));
        }
        return tasks;
    }

    private static List<Task> asTasks(List<ReplicaTask> tasks) {
        return tasks.stream().map(t -> {
            Task pending = Task.pending(t.id(), t.type(), List.of("s"), Map.of(ReplicaTask.MEMBER, t.member()), t.createdMillis());
            return t.finishedMillis() == 0 ? pending.withState(State.RUNNING, t.createdMillis())
                    : pending.withState(t.state(), t.finishedMillis());
        }).toList();
    }

    /** The tasks left once pruning kept {@code keep} finished ones and those retained, at {@code now}. */
    private static List<ReplicaTask> pruned(List<ReplicaTask> tasks, int keep, long now) {
        Set<String> deleted = Set.copyOf(TaskPruning.toDelete(asTasks(tasks), keep,
                ReplicaRetention.retained(tasks, RETRY, now)));
        return tasks.stream().filter(t -> !deleted.contains(t.id())).toList();
    }

    private static Map<String, String> managed(List<ReplicaTask> tasks) {
        return ReplicaRules.managed(tasks).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().id()));
    }

    @Test
    void pruningKeepsWhichMembersTheControllerManages() {
        List<List<ReplicaTask>> histories = List.of(
                // Added, still there: its add stays.
                history("add node3 ok", "add node4 ok", "add node5 ok"),
                // Added then removed: both may go (it stays unmanaged), or the add with the remove.
                history("add node3 ok", "remove node3 ok", "add node4 ok", "remove node4 ok"),
                // A spare assigned, released, assigned again: managed by its latest add only.
                history("add s1 ok", "remove s1 ok", "add s1 ok", "add s2 ok", "remove s2 ok"),
                // A failed remove leaves the member managed; a failed add never made one.
                history("add node3 ok", "remove node3 failed", "add node4 failed", "add node5 ok", "remove node5 cancelled"),
                // A removal running while older tasks are pruned.
                history("add node3 ok", "add node4 ok", "remove node4 running"),
                // Other task types are pruned like any.
                history("backup - ok", "add node3 ok", "backup - failed", "remove node3 ok", "add node4 ok"));
        for (List<ReplicaTask> tasks : histories) {
            for (int keep = 0; keep <= tasks.size(); keep++) {
                assertThat(managed(pruned(tasks, keep, 100_000_000))).as(tasks + " keeping " + keep).isEqualTo(managed(tasks));
            }
        }
    }

    @Test
    void withNothingToKeepOnlyTheAddsOfManagedMembersStay() {
        List<ReplicaTask> tasks = history("add node3 ok", "remove node3 ok", "add node4 ok", "add node5 ok", "remove node5 ok",
                "add node4 ok", "backup - ok");

        assertThat(pruned(tasks, 0, 100_000_000)).extracting(ReplicaTask::id).containsExactly("t6");
    }

    @Test
    void aFailedAddWithinTheRetryDelayStaysSoThatItsSpareIsNotChosenAgainAtOnce() {
        List<ReplicaTask> tasks = history("add s1 failed", "add s2 cancelled", "add s3 ok", "remove s3 ok");
        long first = tasks.get(0).finishedMillis();
        long second = tasks.get(1).finishedMillis();

        assertThat(pruned(tasks, 0, first + RETRY - 1)).extracting(ReplicaTask::id).containsExactly("t1", "t2");
        assertThat(pruned(tasks, 0, second + RETRY - 1)).extracting(ReplicaTask::id).containsExactly("t2");
        assertThat(pruned(tasks, 0, second + RETRY)).isEmpty();
    }
}
