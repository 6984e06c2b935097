package io.pgherd.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;
import io.pgherd.controller.task.TaskDecision.Action;
import io.pgherd.controller.task.TaskType.Takeover;

/**
 * Every rule of {@link TaskRules} as a table row. The task is of type {@code demo} with steps {@code a},
 * {@code b}, {@code c}; this controller's epoch is 10. Steps are written one letter each: P pending,
 * R running, W running and waiting ("not yet": it has a note), S succeeded, F failed, U undone (cancelled). Takeover policies one letter per step:
 * r resume, b roll back.
 */
class TaskRulesTest {
    private static final long MY_EPOCH = 10;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                  | state     | steps | owner | cancel | back  | policy | action    | step | outcome   | sentence
            pending: start                          | PENDING   | PPP   | 7     | false  | false | rrr    | RUN       | 0    |           | starting: running step 1/3 'a'
            pending and cancelled                   | PENDING   | PPP   | 0     | true   | false | rrr    | FINISH    | -1   | CANCELLED | cancelled before it started
            own task: next step                     | RUNNING   | SPP   | 10    | false  | false | rrr    | RUN       | 1    |           | running step 2/3 'b'
            own task: a running step again          | RUNNING   | SRP   | 10    | false  | false | rrr    | RUN       | 1    |           | running step 2/3 'b'
            own task: a waiting step runs again     | RUNNING   | SWP   | 10    | false  | false | rrr    | RUN       | 1    |           | step 2/3 'b' waits (no x yet): running it again
            own waiting step cancelled: roll back   | RUNNING   | SWP   | 10    | true   | false | rrr    | ROLL_BACK | 1    |           | cancelled by a user: rolling back from step 2/3 'b'
            takeover resumes a waiting step         | RUNNING   | SWP   | 7     | false  | false | rrr    | RESUME    | 1    |           | taking over from controller c7 (epoch 7): resuming at step 2/3 'b' (steps 1 to 1 done)
            takeover rolls back a waiting step      | RUNNING   | SWP   | 7     | false  | false | rbr    | ROLL_BACK | 1    |           | taking over from controller c7 (epoch 7): step 2/3 'b' cannot resume: rolling back from step 2/3 'b'
            own task: all done                      | RUNNING   | SSS   | 10    | false  | false | rrr    | FINISH    | -1   | SUCCEEDED | every step succeeded
            own task: a failed step rolls back      | RUNNING   | SFP   | 10    | false  | false | rrr    | ROLL_BACK | 1    |           | step 2/3 'b' failed: rolling back from step 2/3 'b'
            own task rolling back: undo             | RUNNING   | SUP   | 10    | false  | true  | rrr    | UNDO      | 0    |           | rolling back: undoing step 1/3 'a'
            own task rolled back: failed            | RUNNING   | UUP   | 10    | false  | true  | rrr    | FINISH    | -1   | FAILED    | every done step undone: task failed
            own task cancelled: roll back           | RUNNING   | SSP   | 10    | true   | false | rrr    | ROLL_BACK | 1    |           | cancelled by a user: rolling back from step 2/3 'b'
            own task cancelled and undone           | RUNNING   | UUP   | 10    | true   | true  | rrr    | FINISH    | -1   | CANCELLED | every done step undone: task cancelled
            takeover resumes at the running step    | RUNNING   | SRP   | 7     | false  | false | rrr    | RESUME    | 1    |           | taking over from controller c7 (epoch 7): resuming at step 2/3 'b' (steps 1 to 1 done)
            takeover resumes between steps          | RUNNING   | SSP   | 7     | false  | false | rrr    | RESUME    | 2    |           | taking over from controller c7 (epoch 7): resuming at step 3/3 'c' (steps 1 to 2 done)
            takeover at the first step              | RUNNING   | RPP   | 7     | false  | false | rrr    | RESUME    | 0    |           | taking over from controller c7 (epoch 7): resuming at step 1/3 'a'
            takeover rolls back a step that says so | RUNNING   | SRP   | 7     | false  | false | rbr    | ROLL_BACK | 1    |           | taking over from controller c7 (epoch 7): step 2/3 'b' cannot resume: rolling back from step 2/3 'b'
            takeover of a rollback goes on with it  | RUNNING   | SRP   | 7     | false  | true  | rrr    | ROLL_BACK | 1    |           | taking over from controller c7 (epoch 7): rolling back: undoing step 2/3 'b'
            takeover of a finished rollback         | RUNNING   | UUP   | 7     | false  | true  | rrr    | FINISH    | -1   | FAILED    | taking over from controller c7 (epoch 7): every done step undone: task failed
            takeover of a task with all steps done  | RUNNING   | SSS   | 7     | false  | false | rrr    | FINISH    | -1   | SUCCEEDED | taking over from controller c7 (epoch 7): every step succeeded
            takeover of a cancelled task            | RUNNING   | SRP   | 7     | true   | false | rrr    | ROLL_BACK | 1    |           | taking over from controller c7 (epoch 7): cancelled by a user: rolling back from step 2/3 'b'
            a newer epoch owns it: deposed          | RUNNING   | SRP   | 12    | false  | false | rrr    | NONE      | -1   |           | owned by controller c12 of a newer epoch (12 > 10): leaving it
            succeeded: nothing                      | SUCCEEDED | SSS   | 7     | false  | false | rrr    | NONE      | -1   |           | already succeeded
            cancelled: nothing                      | CANCELLED | UUP   | 7     | true   | true  | rrr    | NONE      | -1   |           | already cancelled
            a state of a newer release              | UNKNOWN   | SRP   | 7     | false  | false | rrr    | NONE      | -1   |           | written by a newer release (format 1): leaving it
            """)
    void decides(String name, State state, String steps, long owner, boolean cancel, boolean back, String policy,
                 Action action, int step, State outcome, String sentence) {
        Task task = task(state, steps, owner, cancel, back);

        TaskDecision d = TaskRules.decide(task, MY_EPOCH, Optional.of(type(policy)));

        assertThat(d).isEqualTo(new TaskDecision(action, step, outcome, sentence));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown type      | other | a,b,c | no task type other in this controller: leaving it
            other steps       | demo  | a,x   | its steps [a, x] are not those of type demo [a, b, c]: leaving it
            """)
    void leavesTasksItCannotCarryOut(String name, String typeName, String stepNames, String sentence) {
        List<Task.Step> steps = Arrays.stream(stepNames.split(",")).map(Task.Step::pending).toList();
        Task task = new Task(Task.FORMAT, "t1", typeName, State.PENDING, steps, 0, null, null, 1, 1, 0, 0, Map.of(), false, false);

        TaskDecision d = TaskRules.decide(task, MY_EPOCH, TaskType.named(List.of(type("rrr")), typeName));

        assertThat(d).isEqualTo(new TaskDecision(Action.NONE, -1, null, sentence));
    }

    @Test
    void aTaskOfANewerFormatIsLeftAlone() {
        Task task = new Task(Task.FORMAT + 1, "t1", "demo", State.PENDING, List.of(), 0, null, null, 1, 1, 0, 0, Map.of(), false, false);

        assertThat(TaskRules.decide(task, MY_EPOCH, Optional.of(type("rrr"))).action()).isEqualTo(Action.NONE);
    }

    private static Task task(State state, String steps, long owner, boolean cancel, boolean back) {
        String[] names = {"a", "b", "c"};
        List<Task.Step> list = new ArrayList<>();
        for (int i = 0; i < steps.length(); i++) {
            State s = switch (steps.charAt(i)) {
                case 'P' -> State.PENDING;
                case 'R', 'W' -> State.RUNNING;
                case 'S' -> State.SUCCEEDED;
                case 'F' -> State.FAILED;
                case 'U' -> State.CANCELLED;
                default -> throw new IllegalArgumentException(steps);
            };
            list.add(new Task.Step(names[i], s, 1, 2, s == State.FAILED ? "broke" : null, s == State.CANCELLED ? 3 : 0,
                    steps.charAt(i) == 'W' ? "no x yet" : null));
        }
        return new Task(Task.FORMAT, "t1", "demo", state, list, 0, null, "c" + owner, 1, 2, 0, owner, Map.of(), cancel, back);
    }

    private static TaskType type(String policy) {
        List<TaskType.Step> steps = new ArrayList<>();
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < policy.length(); i++) {
            steps.add(new TaskType.Step(names[i], c -> { }, c -> { }, policy.charAt(i) == 'r' ? Takeover.RESUME : Takeover.ROLL_BACK));
        }
        return new TaskType("demo", steps);
    }
}
