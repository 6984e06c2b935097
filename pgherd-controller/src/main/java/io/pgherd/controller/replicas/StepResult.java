package io.pgherd.controller.replicas;

/**
 * What one run of a {@link ReplicaStep} came to: done, or not yet (a step that waits for the cluster is
 * run again later). A step that cannot succeed throws {@link StepFailure}.
 */
public sealed interface StepResult {
    /** What was done or is awaited, for the task's record and the log. */
    String sentence();

    /** The step is done: the task goes on with the next. */
    record Done(String sentence) implements StepResult {
    }

    /** The step waits for the cluster: run it again later. */
    record NotYet(String sentence) implements StepResult {
    }
}
