package io.pgherd.controller.task;

import java.time.Clock;
import java.util.Map;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ControllerStore.TaskEntry;
import io.pgherd.dcs.Fence;

/**
 * What a step of a task works with: the task's id and parameters, the cluster's store, the fence every
 * DCS write of the step should carry, and the clock. Made by the {@link TaskRunner} for one step; used
 * on the runner's thread.
 */
public final class TaskContext {

    private final String taskId;
    private final ClusterStore cluster;
    private final ControllerStore controller;
    private final Fence fence;
    private final Clock clock;
    private final long stepStartedMillis;

    TaskContext(String taskId, ClusterStore cluster, ControllerStore controller, Fence fence, Clock clock, long stepStartedMillis) {
        this.taskId = taskId;
        this.stepStartedMillis = stepStartedMillis;
        this.cluster = cluster;
        this.controller = controller;
        this.fence = fence;
        this.clock = clock;
    }

    public String taskId() {
        return taskId;
    }

    /** The task's parameters as the DCS holds them now (including those earlier steps put). */
    public Map<String, String> parameters() {
        return read().task().parameters();
    }

    /** One parameter; {@link IllegalStateException} naming it when absent. */
    public String parameter(String name) {
        String value = parameters().get(name);
        if (value == null) {
            throw new IllegalStateException("task " + taskId + " has no parameter " + name);
        }
        return value;
    }

    /**
     * Records what a step learned (a port, a data directory) in the task, so that a later step or the
     * controller taking the task over finds it. Fenced.
     *
     * @throws FencedWriteRefusedException when the write is refused (this controller was deposed, or the task
     *                                     changed under {@link ClusterStore#MAX_TRIES} attempts)
     */
    public void putParameter(String name, String value) {
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            TaskEntry read = read();
            if (controller.update(read, read.task().withParameter(name, value, clock.millis()), fence)) {
                return;
            }
            if (controller.epoch().orElse(0) != fence.epoch()) {
                break;
            }
        }
        throw new FencedWriteRefusedException("task " + taskId + ": parameter " + name + " not recorded: the write was refused"
                + " (controller epoch " + fence.epoch() + " no longer current, or the task kept changing)");
    }

    /**
     * Ends this run of the step without finishing it: it waits for what {@code sentence} says. The runner
     * records the sentence as the step's note and runs the step again on a later cycle; nothing fails.
     *
     * @throws StepNotYetException always
     */
    public StepNotYetException notYet(String sentence) {
        throw new StepNotYetException(sentence);
    }

    /** When the running step first started, epoch ms (kept across its runs and by a controller that takes it over). */
    public long stepStartedMillis() {
        return stepStartedMillis;
    }

    /** Whether a user asked to cancel the task (a long step may check it and stop early). */
    public boolean cancelled() {
        return read().task().cancelRequested();
    }

    public ClusterStore cluster() {
        return cluster;
    }

    /** The fence of the controller running the step: pass it to every DCS write the step makes. */
    public Fence fence() {
        return fence;
    }

    public Clock clock() {
        return clock;
    }

    private TaskEntry read() {
        return controller.task(taskId).orElseThrow(() -> new IllegalStateException("task " + taskId + " vanished from the DCS"));
    }
}
