package io.pgherd.controller;

import java.util.Optional;
import java.util.Set;

import io.pgherd.cluster.ClusterSnapshot;

/**
 * One kind of desired state the acting controller keeps (the read replica count, later backups...): from
 * the cluster as read, at most one task to create this cycle. Called on the controller's loop only while
 * it acts; must not block (the work goes into the task's steps) and should decide through a pure function.
 */
@FunctionalInterface
public interface Reconciler {

    /**
     * @param snapshot the cluster as read this cycle, its tasks included
     * @return the task to create, or empty when the desired state holds or a task already works on it
     */
    Optional<TaskRequest> reconcile(ClusterSnapshot snapshot, long nowMillis);

    /**
     * The ended tasks this reconciler still reads, which pruning must keep however old ({@code controller.keep_tasks}).
     * Pure; none by default.
     */
    default Set<String> retainedTasks(ClusterSnapshot snapshot, long nowMillis) {
        return Set.of();
    }
}
