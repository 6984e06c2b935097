package io.pgherd.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;

/** Which finished tasks the acting controller deletes, as a table: tasks, how many to keep, which are retained. */
class TaskPruningTest {

    private static Task task(String id, State state, long finished) {
        Task pending = Task.pending(id, "add_replica", List.of("s"), Map.of(), 1);
        return state == State.PENDING ? pending : pending.withState(state, finished);
    }

    @Test
    void nothingIsDeletedWhileNoMoreThanKeepTasksEnded() {
        List<Task> tasks = List.of(task("a", State.SUCCEEDED, 10), task("b", State.FAILED, 20), task("c", State.RUNNING, 30));
        assertThat(TaskPruning.toDelete(tasks, 2, Set.of())).isEmpty();
        assertThat(TaskPruning.toDelete(List.of(), 0, Set.of())).isEmpty();
    }

    @Test
    void theOldestFinishedOnesBeyondKeepAreDeletedOldestFirstWhateverTheirOutcome() {
        List<Task> tasks = List.of(task("a", State.SUCCEEDED, 10), task("b", State.FAILED, 20), task("c", State.CANCELLED, 30),
                task("d", State.SUCCEEDED, 40), task("e", State.SUCCEEDED, 50));
        record Row(int keep, List<String> deleted) {
        }
        for (Row row : List.of(new Row(5, List.of()), new Row(4, List.of("a")), new Row(2, List.of("a", "b", "c")),
                new Row(0, List.of("a", "b", "c", "d", "e")))) {
            assertThat(TaskPruning.toDelete(tasks, row.keep(), Set.of())).as("keep " + row.keep()).isEqualTo(row.deleted());
        }
    }

    @Test
    void aTaskThatRunsOrWaitsIsNeverDeletedNorCounted() {
        Task running = task("r", State.RUNNING, 0);
        Task pending = task("p", State.PENDING, 0);
        Task rollingBack = task("rb", State.RUNNING, 0).rollingBack("failed", 5);
        List<Task> tasks = List.of(running, pending, rollingBack, task("a", State.SUCCEEDED, 10), task("b", State.SUCCEEDED, 20));

        assertThat(TaskPruning.toDelete(tasks, 1, Set.of())).containsExactly("a");
        assertThat(TaskPruning.toDelete(tasks, 0, Set.of())).containsExactly("a", "b");
    }

    @Test
    void aRetainedTaskStaysHoweverOldAndDoesNotMakeRoomForAnother() {
        List<Task> tasks = List.of(task("a", State.SUCCEEDED, 10), task("b", State.SUCCEEDED, 20), task("c", State.SUCCEEDED, 30),
                task("d", State.SUCCEEDED, 40));

        assertThat(TaskPruning.toDelete(tasks, 2, Set.of("a"))).containsExactly("b");
        assertThat(TaskPruning.toDelete(tasks, 0, Set.of("a", "d"))).containsExactly("b", "c");
    }

    @Test
    void tasksThatEndedAtTheSameMillisecondAreOrderedByIdSoThatEveryControllerDeletesTheSame() {
        List<Task> tasks = List.of(task("b", State.SUCCEEDED, 10), task("a", State.SUCCEEDED, 10), task("c", State.SUCCEEDED, 10));

        assertThat(TaskPruning.toDelete(tasks, 1, Set.of())).containsExactly("a", "b");
    }
}
