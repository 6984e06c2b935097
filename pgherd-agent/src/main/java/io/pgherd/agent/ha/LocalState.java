package io.pgherd.agent.ha;

/**
 * What the agent found out about its own node this cycle.
 *
 * @param dcsReachable whether this cycle's read of the DCS succeeded within retry_timeout
 * @param sessionAlive whether the agent's DCS session (lease) is alive; a lost one never comes back
 * @param dataDirectory whether the node has a data directory (initialized or cloned)
 * @param running whether its PostgreSQL runs and answers
 * @param inRecovery whether it runs as a standby
 * @param wasPrimary whether this data directory has been a primary since it last followed anyone
 *                   (it must be rewound before it may follow another primary)
 * @param following the member whose WAL it is configured to stream, or empty
 * @param position the current WAL position of a primary, the last received one of a standby
 * @param failedStarts consecutive starts that failed
 * @param stuckMillis how long this standby has followed the leader without reaching its timeline (0: it does)
 * @param leaderlessMillis how long this agent has seen no leader (0: it sees one)
 * @param leaseConfirmed whether the DCS renewed this member's session recently enough that a leader key bound to
 *                       it cannot vanish within the fencing margin ({@link Lease#confirmed})
 */
public record LocalState(boolean dcsReachable, boolean sessionAlive, boolean dataDirectory, boolean running,
                         boolean inRecovery, boolean wasPrimary, String following, long position, int failedStarts,
                         long stuckMillis, long leaderlessMillis, boolean leaseConfirmed) {
    /** A state whose session is confirmed. */
    public LocalState(boolean dcsReachable, boolean sessionAlive, boolean dataDirectory, boolean running,
                      boolean inRecovery, boolean wasPrimary, String following, long position, int failedStarts,
                      long stuckMillis, long leaderlessMillis) {
        this(dcsReachable, sessionAlive, dataDirectory, running, inRecovery, wasPrimary, following, position, failedStarts,
                stuckMillis, leaderlessMillis, true);
    }

    /** A state without a count of leaderless time. */
    public LocalState(boolean dcsReachable, boolean sessionAlive, boolean dataDirectory, boolean running,
                      boolean inRecovery, boolean wasPrimary, String following, long position, int failedStarts,
                      long stuckMillis) {
        this(dcsReachable, sessionAlive, dataDirectory, running, inRecovery, wasPrimary, following, position, failedStarts,
                stuckMillis, 0);
    }

    /** A state whose standby is not known to be stuck. */
    public LocalState(boolean dcsReachable, boolean sessionAlive, boolean dataDirectory, boolean running,
                      boolean inRecovery, boolean wasPrimary, String following, long position, int failedStarts) {
        this(dcsReachable, sessionAlive, dataDirectory, running, inRecovery, wasPrimary, following, position, failedStarts, 0);
    }
}
