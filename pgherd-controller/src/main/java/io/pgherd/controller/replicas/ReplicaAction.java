package io.pgherd.controller.replicas;

/**
 * The one thing {@link ReplicaRules} decides the controller does now, with the sentence it logs and
 * records saying why.
 */
public sealed interface ReplicaAction {
    /** One sentence: what and why. */
    String sentence();

    /** The read replicas are as the spec wants them (or there is no spec): nothing to do. */
    record Nothing(String sentence) implements ReplicaAction {
    }

    /** Something must happen first (a task runs, no leader, a replica catches up, paused): nothing now. */
    record Wait(String sentence) implements ReplicaAction {
    }

    /**
     * Start an {@code add_replica} task.
     *
     * @param member the new member's name (a spare's own name with the spare provisioner)
     * @param provisioner the provisioner that makes it ({@code local}, {@code spare})
     * @param cloneFrom the member it clones its data from
     * @param sentence why
     */
    record Add(String member, String provisioner, String cloneFrom, String sentence) implements ReplicaAction {
    }

    /**
     * Start a {@code remove_replica} task.
     *
     * @param member the read replica to drain and remove
     * @param sentence why
     */
    record Remove(String member, String sentence) implements ReplicaAction {
    }
}
