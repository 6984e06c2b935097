package io.pgherd.controller.replicas;

import java.util.Map;

/**
 * What a {@link ReplicaStep} runs with: the task's member and parameters, the time, and the world it acts
 * on (the provisioner, the cluster, the draining marks). The task engine's {@code TaskContext} adapts to it.
 *
 * @param taskId the task's id
 * @param parameters the task's parameters ({@link ReplicaTask#MEMBER}, {@link #CLONE_FROM}, ...), read-only
 * @param stepStartedMillis when the current step first started, epoch ms (a controller that takes over keeps it)
 * @param nowMillis the time, epoch ms
 * @param provisioner where the member's agent runs
 * @param cluster the cluster's DCS records and its primary
 * @param drains the member's draining mark
 * @param limits how long the waiting steps wait, and the lag limit
 */
public record ReplicaContext(String taskId, Map<String, String> parameters, long stepStartedMillis, long nowMillis,
                             Provisioner provisioner, ReplicaCluster cluster, Drains drains, Limits limits) {
    /** The task parameter naming the member a new replica clones from. */
    public static final String CLONE_FROM = "clone_from";

    public ReplicaContext {
        parameters = Map.copyOf(parameters);
    }

    /** The member the task adds or removes. */
    public String member() {
        String member = parameters.get(ReplicaTask.MEMBER);
        if (member == null || member.isEmpty()) {
            throw new StepFailure("task " + taskId + " names no member (parameter " + ReplicaTask.MEMBER + ")");
        }
        return member;
    }

    /** How long the current step has been running, ms. */
    public long stepAgeMillis() {
        return Math.max(0, nowMillis - stepStartedMillis);
    }

    /**
     * @param maxLagBytes a new replica streams within the lag limit when it replayed this close to the primary
     * @param streamTimeoutMillis how long a new replica may take to stream within it
     * @param drainTimeoutMillis how long the reads running on a draining replica may take to end
     */
    public record Limits(long maxLagBytes, long streamTimeoutMillis, long drainTimeoutMillis) {
    }
}
