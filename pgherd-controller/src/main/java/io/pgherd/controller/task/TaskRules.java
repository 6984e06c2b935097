package io.pgherd.controller.task;

import java.util.List;
import java.util.Optional;

import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;
import io.pgherd.controller.task.TaskDecision.Action;

/**
 * What a controller does next with one task, as one pure function of the task as read, the
 * controller's epoch and the task's type. No I/O, no clock: every rule is a table row of
 * {@code TaskRulesTest}. Steps are numbered from 1 in sentences.
 *
 * <p>A task {@code RUNNING} under an older owner epoch was left by a controller that is gone (its epoch
 * is no longer current, or this controller could not be acting): this controller takes it over and,
 * as the interrupted step's {@link TaskType.Takeover} says, resumes at that step or rolls back.
 */
public final class TaskRules {
    private TaskRules() {
    }

    public static TaskDecision decide(Task task, long myEpoch, Optional<TaskType> type) {
        if (task.format() > Task.FORMAT || task.state() == State.UNKNOWN) {
            return TaskDecision.none("written by a newer release (format " + task.format() + "): leaving it");
        }
        if (task.finished()) {
            return TaskDecision.none("already " + task.state().label());
        }
        if (task.ownerEpoch() > myEpoch) {
            return TaskDecision.none("owned by controller " + task.owner() + " of a newer epoch (" + task.ownerEpoch()
                    + " > " + myEpoch + "): leaving it");
        }
        if (type.isEmpty()) {
            return TaskDecision.none("no task type " + task.type() + " in this controller: leaving it");
        }
        List<String> names = task.steps().stream().map(Task.Step::name).toList();
        if (!names.equals(type.get().stepNames())) {
            return TaskDecision.none("its steps " + names + " are not those of type " + task.type() + " "
                    + type.get().stepNames() + ": leaving it");
        }
        if (task.state() == State.PENDING) {
            return task.cancelRequested()
                    ? TaskDecision.finish(State.CANCELLED, "cancelled before it started")
                    : TaskDecision.step(Action.RUN, 0, "starting: running step " + describe(task, 0));
        }
        boolean takeover = task.ownerEpoch() != 0 && task.ownerEpoch() < myEpoch;
        String from = takeover ? "taking over from controller " + task.owner() + " (epoch " + task.ownerEpoch() + "): " : "";
        int last = lastDone(task);
        if (task.rollingBack()) {
            if (last < 0) {
                State outcome = task.cancelRequested() ? State.CANCELLED : State.FAILED;
                return TaskDecision.finish(outcome, from + "every done step undone: task " + outcome.label());
            }
            return TaskDecision.step(takeover ? Action.ROLL_BACK : Action.UNDO, last, from + "rolling back: undoing step "
                    + describe(task, last));
        }
        if (task.cancelRequested()) {
            return rollBack(task, last, from + "cancelled by a user: ");
        }
        int failed = firstIn(task, State.FAILED);
        if (failed >= 0) {
            return rollBack(task, last, from + "step " + describe(task, failed) + " failed: ");
        }
        int next = firstNotSucceeded(task);
        if (next == task.steps().size()) {
            return TaskDecision.finish(State.SUCCEEDED, from + "every step succeeded");
        }
        if (takeover) {
            return switch (type.get().steps().get(next).takeover()) {
                case RESUME -> TaskDecision.step(Action.RESUME, next, from + "resuming at step " + describe(task, next)
                        + (next == 0 ? "" : " (steps 1 to " + next + " done)"));
                case ROLL_BACK -> rollBack(task, last, from + "step " + describe(task, next) + " cannot resume: ");
            };
        }
        Task.Step waiting = task.steps().get(next);
        if (waiting.state() == State.RUNNING && waiting.note() != null) {
            return TaskDecision.step(Action.RUN, next, "step " + describe(task, next) + " waits (" + waiting.note()
                    + "): running it again");
        }
        return TaskDecision.step(Action.RUN, next, "running step " + describe(task, next));
    }

    private static TaskDecision rollBack(Task task, int last, String why) {
        if (last < 0) {
            State outcome = task.cancelRequested() ? State.CANCELLED : State.FAILED;
            return TaskDecision.finish(outcome, why + "nothing to undo: task " + outcome.label());
        }
        return TaskDecision.step(Action.ROLL_BACK, last, why + "rolling back from step " + describe(task, last));
    }

    /** The last step that ran, at least in part, and is not undone; -1 if none. */
    private static int lastDone(Task task) {
        for (int i = task.steps().size() - 1; i >= 0; i--) {
            State s = task.steps().get(i).state();
            if (s == State.SUCCEEDED || s == State.RUNNING || s == State.FAILED) {
                return i;
            }
        }
        return -1;
    }

    private static int firstIn(Task task, State state) {
        for (int i = 0; i < task.steps().size(); i++) {
            if (task.steps().get(i).state() == state) {
                return i;
            }
        }
        return -1;
    }

    private static int firstNotSucceeded(Task task) {
        int i = 0;
        while (i < task.steps().size() && task.steps().get(i).state() == State.SUCCEEDED) {
            i++;
        }
        return i;
    }

    private static String describe(Task task, int step) {
        return (step + 1) + "/" + task.steps().size() + " '" + task.steps().get(step).name() + "'";
    }
}
