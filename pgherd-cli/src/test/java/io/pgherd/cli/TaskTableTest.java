package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;
import io.pgherd.cluster.Task.Step;

class TaskTableTest {
    private static final long T0 = 1_765_000_000_000L;

    static Task running() {
        return new Task(Task.FORMAT, "add_replica-7-1", "add_replica", State.RUNNING,
                List.of(new Step("clone", State.SUCCEEDED, T0, T0 + 60_000, null, 0), new Step("start", State.RUNNING, T0 + 60_000, 0, null, 0),
                        Step.pending("register")),
                33, null, "c1", T0, T0 + 60_000, 0, 7, Map.of("member", "node4"), false, false);
    }

    static Task rolledBack() {
        return new Task(Task.FORMAT, "add_replica-7-2", "add_replica", State.FAILED,
                List.of(new Step("clone", State.CANCELLED, T0, T0 + 1000, null, T0 + 3000),
                        new Step("start", State.CANCELLED, T0 + 1000, T0 + 2000, "pg_ctl start: exit 1", T0 + 2500), Step.pending("register")),
                0, "step 2 'start' failed: pg_ctl start: exit 1", "c2", T0, T0 + 3000, T0 + 3000, 9, Map.of(), false, true);
    }

    @Test
    void listsOneRowPerTaskWithTheStepRunningAndTheOwnersEpoch() {
        assertThat(TaskTable.list("main", List.of(running(), rolledBack()))).isEqualTo("""
                ID               TYPE         STATE    PROGRESS  STEP       OWNER  EPOCH  UPDATED
                add_replica-7-1  add_replica  running  33%       2/3 start  c1     7      2025-12-06T05:47:40Z
                add_replica-7-2  add_replica  failed   0%        -          c2     9      2025-12-06T05:46:43Z
                """);
    }

    @Test
    void saysSoWhenThereIsNoTask() {
        assertThat(TaskTable.list("main", List.of())).isEqualTo("no task in cluster main\n");
    }

    @Test
    void showsOneTaskWithItsStepsTimesAndErrors() {
        assertThat(TaskTable.detail(rolledBack())).isEqualTo("""
                task add_replica-7-2 (add_replica): failed, 0% done
                owner: c2 (epoch 9)
                created: 2025-12-06T05:46:40Z  updated: 2025-12-06T05:46:43Z  finished: 2025-12-06T05:46:43Z
                parameters: -
                error: step 2 'start' failed: pg_ctl start: exit 1
                #  STEP      STATE    STARTED               FINISHED              UNDONE                ERROR
                1  clone     undone   2025-12-06T05:46:40Z  2025-12-06T05:46:41Z  2025-12-06T05:46:43Z  -
                2  start     undone   2025-12-06T05:46:41Z  2025-12-06T05:46:42Z  2025-12-06T05:46:42Z  pg_ctl start: exit 1
                3  register  pending  -                     -                     -                     -
                """);
    }

    @Test
    void showsWhatAWaitingStepWaitsFor() {
        Task waiting = running().withStep(1, running().steps().get(1).waiting("node4 does not stream yet"), T0 + 60_000);

        assertThat(TaskTable.detail(waiting)).contains(
                "2  start     running    2025-12-06T05:47:40Z  -                     -       waiting: node4 does not stream yet\n");
    }
}
