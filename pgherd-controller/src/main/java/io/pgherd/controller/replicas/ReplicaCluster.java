package io.pgherd.controller.replicas;

import java.util.Optional;

import io.pgherd.cluster.ClusterSnapshot;

/** What the replica steps read of the cluster and do on its primary. */
public interface ReplicaCluster {
    /** Everything the DCS shows now. */
    ClusterSnapshot snapshot();

    /**
     * The {@code state} of {@code member}'s WAL sender in the primary's {@code pg_stat_replication}
     * ({@code streaming}, {@code catchup}, ...), or empty when it has none (or there is no primary to ask).
     */
    Optional<String> replicationState(String member);

    /** Drops {@code member}'s replication slot on the primary; nothing when there is none. */
    void dropSlot(String member);
}
