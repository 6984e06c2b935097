package io.pgherd.controller.replicas;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.controller.Reconciler;
import io.pgherd.controller.TaskRequest;
import io.pgherd.controller.task.TaskType;

/**
 * Keeps {@code spec.read_replicas}: each cycle {@link ReplicaRules} decides one action from the spec, the
 * snapshot and the replica tasks, and {@link #request} turns an add or a remove into the task to create. The
 * sentence of a wait or of nothing to do is logged when it changes (a task created records its own).
 */
public final class ReplicaReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(ReplicaReconciler.class);

    private final ReplicaRules rules;
    private final TaskType add;
    private final TaskType remove;
    private String lastSentence = "";

    public ReplicaReconciler(ReplicaRules rules, TaskType add, TaskType remove) {
        this.rules = rules;
        this.add = add;
        this.remove = remove;
    }

    @Override
    public Optional<TaskRequest> reconcile(ClusterSnapshot snapshot, long nowMillis) {
        ReplicaAction action = rules.decide(snapshot.spec().orElse(null), snapshot, tasks(snapshot), nowMillis);
        if (!action.sentence().equals(lastSentence)) {
            log.info("read replicas: {}", action.sentence());
            lastSentence = action.sentence();
        }
        return request(action, add, remove);
    }

    /** The replica tasks that tell which members the controller manages, and the recently failed ones. */
    @Override
    public Set<String> retainedTasks(ClusterSnapshot snapshot, long nowMillis) {
        return ReplicaRetention.retained(tasks(snapshot), rules.policy().retryAfterMillis(), nowMillis);
    }

    /** The replica tasks of the snapshot, with their members. */
    static List<ReplicaTask> tasks(ClusterSnapshot snapshot) {
        return snapshot.tasks().values().stream().map(t -> ReplicaTask.of(t, t.parameters())).toList();
    }

    /**
     * The task an action asks for: {@code add} with the member, its provisioner and clone source; {@code remove}
     * with the member; none for a wait or nothing to do. Pure.
     */
    static Optional<TaskRequest> request(ReplicaAction action, TaskType add, TaskType remove) {
        if (action instanceof ReplicaAction.Add a) {
            return Optional.of(new TaskRequest(add, AddReplica.parameters(a), a.sentence()));
        }
        if (action instanceof ReplicaAction.Remove r) {
            return Optional.of(new TaskRequest(remove, Map.of(ReplicaTask.MEMBER, r.member()), r.sentence()));
        }
        return Optional.empty();
    }

}
