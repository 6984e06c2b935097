package io.pgherd.controller.replicas;

/**
 * One step of an {@code add_replica} or {@code remove_replica} task, in the shape of the task engine's
 * steps ({@code io.pgherd.controller.task}): a name, an idempotent {@link #run} and {@link #undo}, and
 * whether a controller that takes over a task stopped at this step resumes it or rolls the task back.
 *
 * <p>Idempotent means: running it again after it succeeded, or after a controller died in its middle,
 * leaves the cluster as one successful run does. Undoing a step that never ran, or undoing twice, does
 * no harm either.
 */
public interface ReplicaStep {
    /** The step's name in the task record ({@code provision}, {@code wait_streaming}, ...). */
    String name();

    /**
     * Carries the step out, or checks whether what it waits for happened.
     *
     * @throws StepFailure when it cannot succeed (the task fails and is rolled back)
     */
    StepResult run(ReplicaContext context);

    /** Undoes what {@link #run} did, as far as it did; nothing when it did nothing. */
    void undo(ReplicaContext context);

    /** Whether a controller that takes over a task stopped at this step runs it again (else it rolls back). */
    boolean resumes();
}
