package io.pgherd.cli;

import java.time.Duration;
import java.util.Optional;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.DcsException;

/**
 * What {@code pgherd up} reads from an external DCS before it creates or starts anything: whether the
 * cluster name it is about to use there belongs to another cluster. A new directory must not start a
 * cluster under a name the DCS already holds (its agents would publish over that cluster's members and
 * try to clone from it with other credentials); an existing one must hold the data the DCS records
 * under its name (the same database system identifier).
 */
final class DcsClusterCheck {
    private static final Duration CONNECT = Duration.ofSeconds(5);

    private DcsClusterCheck() {
    }

    /**
     * @param dcs the DCS address
     * @param cluster the cluster name
     * @param localSystemId the system identifier of this directory's data; empty for a brand-new cluster
     * @param brandNew whether this directory has no cluster yet
     * @throws CommandFailure when the name belongs to another cluster, or (brand new) the DCS does not answer
     */
    static void refuseForeign(String dcs, String cluster, Optional<String> localSystemId, boolean brandNew) {
        HaCommand.quietDcsClients();
        ClusterSnapshot snapshot;
        try (Dcs client = Dcs.connect(DcsAddress.parse(dcs), CONNECT)) {
            snapshot = new ClusterStore(client, cluster).read();
        } catch (DcsException e) {
            if (brandNew) {
                throw new CommandFailure("cannot reach the DCS " + dcs + " to check that cluster name " + cluster
                        + " is free there: " + e.getMessage(), e);
            }
            // The agents wait for a DCS that does not answer yet; they make the same check once it does.
            return;
        }
        Optional<String> problem = problem(dcs, cluster, snapshot, localSystemId, brandNew);
        if (problem.isPresent()) {
            throw new CommandFailure(problem.get());
        }
    }

    /** Why this directory may not use {@code cluster} in the DCS that showed {@code snapshot}, if it may not. */
    static Optional<String> problem(String dcs, String cluster, ClusterSnapshot snapshot, Optional<String> localSystemId,
                                    boolean brandNew) {
        String there = "the DCS " + dcs + " already holds a cluster named " + cluster + " ("
                + snapshot.initializedBy().map(m -> "initialized by " + m).orElse("not initialized")
                + snapshot.systemId().map(id -> ", system identifier " + id).orElse("")
                + (snapshot.members().isEmpty() ? "" : ", members " + String.join(", ", snapshot.members().keySet()))
                + ")";
        if (brandNew) {
            return snapshot.exists() ? Optional.of(there + " that this new directory did not create: choose another name"
                    + " for this one with --cluster NAME, or run pgherd in the directory of that cluster") : Optional.empty();
        }
        if (localSystemId.isPresent() && snapshot.systemId().isPresent() && !snapshot.systemId().equals(localSystemId)) {
            return Optional.of(there + ", but the data in this directory has system identifier " + localSystemId.get()
                    + ": another cluster took the name there, and this one's agents would not join it; stop that"
                    + " cluster and remove its keys, or give this directory a DCS of its own");
        }
        return Optional.empty();
    }
}
