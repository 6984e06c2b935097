package io.pgherd.controller.task;

import io.pgherd.cluster.Task;

/**
 * What to do next with one task, and the sentence logged (and recorded when it rolls back).
 *
 * @param action  what to do
 * @param step    the step it concerns (RUN, RESUME, ROLL_BACK, UNDO); -1 otherwise
 * @param outcome the final state (FINISH); null otherwise
 * @param sentence why
 */
public record TaskDecision(Action action, int step, Task.State outcome, String sentence) {

    /** What to do. */
    public enum Action {
        /** Nothing (finished, another controller's, unknown type, newer release). */
        NONE,
        /** Run step {@code step} (start a pending task, or go on with one this controller owns). */
        RUN,
        /** Take the task over from an older epoch and run step {@code step}, the one it was at. */
        RESUME,
        /** Mark the task as rolling back (error: the sentence) and undo step {@code step}. */
        ROLL_BACK,
        /** Undo step {@code step} of a task already rolling back. */
        UNDO,
        /** End the task in state {@code outcome}. */
        FINISH
    }

    static TaskDecision none(String sentence) {
        return new TaskDecision(Action.NONE, -1, null, sentence);
    }

    static TaskDecision step(Action action, int step, String sentence) {
        return new TaskDecision(action, step, null, sentence);
    }

    static TaskDecision finish(Task.State outcome, String sentence) {
        return new TaskDecision(Action.FINISH, -1, outcome, sentence);
    }
}
