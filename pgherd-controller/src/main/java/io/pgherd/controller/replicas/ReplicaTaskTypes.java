package io.pgherd.controller.replicas;

import java.util.List;
import java.util.function.Function;

import io.pgherd.controller.task.TaskContext;
import io.pgherd.controller.task.TaskType;
import io.pgherd.controller.task.TaskType.Takeover;

/**
 * The task types {@value ReplicaTask#ADD} and {@value ReplicaTask#REMOVE}: the {@link ReplicaStep}s of
 * {@link AddReplica} and {@link RemoveReplica} adapted to the task engine. Each run of a step gets a
 * {@link ReplicaContext} made from the engine's {@link TaskContext} (the task's parameters as the DCS holds
 * them, the step's first start, the time, and a provisioner and draining marks bound to the acting
 * controller's fence); a step's {@link StepResult.NotYet} is the engine's "not yet" (the step stays running
 * and runs again on a later cycle); a done step's sentence is recorded in the task as the parameter
 * {@code <step>} (fenced, through {@link TaskContext#putParameter}).
 *
 * @param provisioner where members come from, for one step of one task (the spare one writes fenced records)
 * @param cluster the cluster's records and its primary
 * @param drains the draining marks, for one step of one task
 * @param limits the lag limit and how long the waiting steps wait
 */
public record ReplicaTaskTypes(Function<TaskContext, Provisioner> provisioner, ReplicaCluster cluster,
                               Function<TaskContext, Drains> drains, ReplicaContext.Limits limits) {

    /** The type of {@value ReplicaTask#ADD}. */
    public TaskType add() {
        return type(ReplicaTask.ADD, AddReplica.steps());
    }

    /** The type of {@value ReplicaTask#REMOVE}. */
    public TaskType remove() {
        return type(ReplicaTask.REMOVE, RemoveReplica.steps());
    }

    /** Both. */
    public List<TaskType> all() {
        return List.of(add(), remove());
    }

    private TaskType type(String name, List<ReplicaStep> steps) {
        return new TaskType(name, steps.stream().map(this::adapt).toList());
    }

    private TaskType.Step adapt(ReplicaStep step) {
        return new TaskType.Step(step.name(), context -> {
            StepResult result = step.run(context(context));
            if (result instanceof StepResult.NotYet notYet) {
                throw context.notYet(notYet.sentence());
            }
            context.putParameter(step.name(), result.sentence());
        }, context -> step.undo(context(context)), step.resumes() ? Takeover.RESUME : Takeover.ROLL_BACK);
    }

    private ReplicaContext context(TaskContext context) {
        return new ReplicaContext(context.taskId(), context.parameters(), context.stepStartedMillis(), context.clock().millis(),
                provisioner.apply(context), cluster, drains.apply(context), limits);
    }
}
