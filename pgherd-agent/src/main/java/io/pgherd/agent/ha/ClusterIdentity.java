package io.pgherd.agent.ha;

import java.util.Optional;

/**
 * Whether this member's data belongs to the cluster the DCS holds under its cluster name, judged by
 * the database system identifier (which initdb draws once and every clone keeps): a pure function,
 * asked every cycle before the agent writes anything into the DCS, so an agent of another cluster that
 * was started under the same name never publishes over the members of the one already there.
 */
public final class ClusterIdentity {
    private ClusterIdentity() {
    }

    /** What the agent does about the cluster's identity this cycle. */
    public enum Outcome {
        /** Go on: the data matches, or there is nothing to compare yet. */
        JOIN,
        /** Go on, and record this data's identifier as the cluster's (a leader of a cluster that has none recorded). */
        RECORD,
        /** Stop for good without touching the DCS: the data belongs to another cluster. */
        REFUSE
    }

    /**
     * The outcome and the sentence the agent logs.
     *
     * @param outcome what to do
     * @param systemId the identifier to record ({@link Outcome#RECORD}), else empty
     * @param sentence one sentence saying why
     */
    public record Verdict(Outcome outcome, String systemId, String sentence) {
    }

    /**
     * Decides.
     *
     * @param cluster the cluster's name in the DCS
     * @param recorded the identifier the DCS records for it ({@code system_id}), if any
     * @param local this member's data directory's identifier, empty without a data directory
     * @param leading whether this member holds the leader key
     */
    public static Verdict check(String cluster, Optional<String> recorded, Optional<String> local, boolean leading) {
        if (local.isEmpty()) {
            return new Verdict(Outcome.JOIN, "", "no data directory yet: it takes the cluster's identity when it is"
                    + " initialized or cloned");
        }
        if (recorded.isEmpty()) {
            return leading
                    ? new Verdict(Outcome.RECORD, local.get(), "recording the database system identifier " + local.get()
                            + " of this leader's data as the identity of cluster " + cluster)
                    : new Verdict(Outcome.JOIN, "", "the DCS records no system identifier for cluster " + cluster + " yet");
        }
        if (recorded.get().equals(local.get())) {
            return new Verdict(Outcome.JOIN, "", "this data directory belongs to cluster " + cluster + " (system identifier "
                    + local.get() + ")");
        }
        return new Verdict(Outcome.REFUSE, "", "this data directory (database system identifier " + local.get()
                + ") does not belong to the cluster named " + cluster + " in the DCS (system identifier " + recorded.get()
                + "): another cluster uses that name there; refusing to join it and stopping. Run this cluster under"
                + " another name (pgherd up --cluster NAME for a new one) or point it at its own DCS");
    }
}
