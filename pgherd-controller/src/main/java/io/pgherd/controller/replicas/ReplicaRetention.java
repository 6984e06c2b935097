package io.pgherd.controller.replicas;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.pgherd.cluster.Task;

/**
 * The ended replica tasks that pruning must keep because {@link ReplicaRules} still reads them:
 * <ul>
 *   <li>the {@code add_replica} that makes each managed member the controller's (its latest succeeded one, not
 *       followed by a succeeded {@code remove_replica}): without it the member would look like one the user made, and
 *       never be removed (or a spare would look free);</li>
 *   <li>every {@code add_replica} that failed or was cancelled within the retry delay: it keeps that spare from being
 *       chosen again at once.</li>
 * </ul>
 * Nothing else needs keeping: a member's older tasks say nothing its latest do not, and for a member no longer
 * managed its latest {@code remove_replica} ended after every {@code add_replica} of it (one scale task runs at a
 * time), so pruning by finish time deletes those adds no later than that remove. Pure.
 */
public final class ReplicaRetention {
    private ReplicaRetention() {
    }

    /** The ids to keep, of {@code tasks} (every task; others than replica tasks are ignored). */
    public static Set<String> retained(List<ReplicaTask> tasks, long retryAfterMillis, long nowMillis) {
        Set<String> keep = new HashSet<>();
        ReplicaRules.managed(tasks).values().forEach(t -> keep.add(t.id()));
        tasks.stream().filter(t -> ReplicaTask.ADD.equals(t.type())
                        && (t.state() == Task.State.FAILED || t.state() == Task.State.CANCELLED)
                        && nowMillis - t.finishedMillis() < retryAfterMillis)
                .forEach(t -> keep.add(t.id()));
        return keep;
    }
}
