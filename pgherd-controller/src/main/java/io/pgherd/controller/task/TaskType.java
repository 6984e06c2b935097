package io.pgherd.controller.task;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A kind of durable task (add a replica, take a backup, ...): a name and its ordered steps. The
 * {@link TaskRunner} carries out tasks of the types it is given; a task of another type is left alone.
 *
 * @param name  as recorded in {@code Task.type}, such as {@code add_replica}
 * @param steps in order; at least one
 */
public record TaskType(String name, List<Step> steps) {

    public TaskType {
        Objects.requireNonNull(name, "name");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("task type " + name + " has no steps");
        }
    }

    /** The step names, in order, as a new task records them. */
    public List<String> stepNames() {
        return steps.stream().map(Step::name).toList();
    }

    /** What a controller taking over a task interrupted at a step does. */
    public enum Takeover {
        /** Run the step again (it is idempotent) and go on. */
        RESUME,
        /** Undo the steps done so far, in reverse order; the task then fails. */
        ROLL_BACK
    }

    /** Work of a step: {@code run} or {@code undo}. An exception fails the step, its message (and cause) recorded. */
    @FunctionalInterface
    public interface Work {
        void apply(TaskContext context) throws Exception;
    }

    /**
     * One step. Both {@code run} and {@code undo} must be idempotent: either may be run again after a
     * controller died in the middle of it, and {@code undo} may run after a {@code run} that failed halfway
     * or never started.
     *
     * @param name     as recorded in the task
     * @param run      does the step
     * @param undo     undoes it
     * @param takeover what a controller taking over a task interrupted at this step does
     */
    public record Step(String name, Work run, Work undo, Takeover takeover) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(undo, "undo");
            Objects.requireNonNull(takeover, "takeover");
        }
    }

    /** Finds a type by name. */
    public static Optional<TaskType> named(List<TaskType> types, String name) {
        return types.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
