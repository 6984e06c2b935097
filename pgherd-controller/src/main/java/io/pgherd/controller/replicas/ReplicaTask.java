package io.pgherd.controller.replicas;

import java.util.Map;

import io.pgherd.cluster.Task;

/**
 * What {@link ReplicaRules} needs of one task: which replica task it is and the member it concerns.
 * The member is the task's parameter {@value #MEMBER}; a task of another type has none.
 *
 * @param id the task's id
 * @param type its type ({@value #ADD} or {@value #REMOVE} for these rules; others are ignored)
 * @param state where it is
 * @param member the member it adds or removes; empty for other tasks
 * @param createdMillis when it was asked for, epoch ms
 * @param finishedMillis when it ended, epoch ms; 0 while it runs
 */
public record ReplicaTask(String id, String type, Task.State state, String member, long createdMillis,
                          long finishedMillis) {
    /** The type of the task that adds one read replica. */
    public static final String ADD = "add_replica";
    /** The type of the task that removes one read replica. */
    public static final String REMOVE = "remove_replica";
    /** The task parameter naming the member a replica task adds or removes. */
    public static final String MEMBER = "member";

    public ReplicaTask {
        member = member == null ? "" : member;
    }

    /** {@code task} with its parameters (the record on main carries none yet; the task engine's does). */
    public static ReplicaTask of(Task task, Map<String, String> parameters) {
        return new ReplicaTask(task.id(), task.type(), task.state(), parameters.getOrDefault(MEMBER, ""),
                task.createdMillis(), task.finishedMillis());
    }

    /** Whether it adds or removes a read replica. */
    public boolean scales() {
        return ADD.equals(type) || REMOVE.equals(type);
    }

    /** Whether it has not ended: pending or running. */
    public boolean active() {
        return state == Task.State.PENDING || state == Task.State.RUNNING;
    }
}
