package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code spec}: what the cluster should look like, set by users (CLI, cluster API) and
 * carried out by the controller. Defined now; the controller reads it from the next release on.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param readReplicas the desired number of read replicas (members tagged nofailover)
 * @param autoscaling the autoscaling policy; null: none (the number stays {@code readReplicas})
 */
public record Spec(@JsonProperty("format") int format,
                   @JsonProperty("read_replicas") int readReplicas,
                   @JsonProperty("autoscaling") Autoscaling autoscaling) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    /**
     * How the controller changes the number of read replicas by itself.
     *
     * @param enabled whether it does
     * @param minReplicas never fewer read replicas
     * @param maxReplicas never more read replicas
     * @param targetCpuPercent the mean CPU use of the replicas it aims at
     * @param cooldownSeconds the least time between two changes
     */
    public record Autoscaling(@JsonProperty("enabled") boolean enabled,
                              @JsonProperty("min_replicas") int minReplicas,
                              @JsonProperty("max_replicas") int maxReplicas,
                              @JsonProperty("target_cpu_percent") int targetCpuPercent,
                              @JsonProperty("cooldown_seconds") long cooldownSeconds) {
    }
}
