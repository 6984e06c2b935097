package io.pgherd.agent.ha;

/**
 * The rules' parameters for one member.
 *
 * @param name this member
 * @param noFailover a read replica: never takes the key
 * @param failoverPriority among candidates at the same position the higher wins
 * @param maximumLagOnFailover bytes behind the last known primary position beyond which it may not take the key
 * @param synchronousMode only the synchronous standby may take the key
 * @param maxStartAttempts failed starts of a leader's PostgreSQL before it gives the key up
 * @param stuckLimitMillis how long a standby may stay off the leader's timeline before it is cloned again
 * @param leaderReturnMillis how long the others wait for a leader that stopped cleanly while leading to take
 *                           the key back before the usual failover rules apply
 */
public record HaSettings(String name, boolean noFailover, int failoverPriority, long maximumLagOnFailover,
                         boolean synchronousMode, int maxStartAttempts, long stuckLimitMillis, long leaderReturnMillis) {
    /** Settings that wait for a cleanly stopped leader as long as the default TTL (10 s). */
    public HaSettings(String name, boolean noFailover, int failoverPriority, long maximumLagOnFailover,
                      boolean synchronousMode, int maxStartAttempts, long stuckLimitMillis) {
        this(name, noFailover, failoverPriority, maximumLagOnFailover, synchronousMode, maxStartAttempts, stuckLimitMillis,
                10_000);
    }

    /** Settings with the default limit for a stuck rewound standby (30 s). */
    public HaSettings(String name, boolean noFailover, int failoverPriority, long maximumLagOnFailover,
                      boolean synchronousMode, int maxStartAttempts) {
        this(name, noFailover, failoverPriority, maximumLagOnFailover, synchronousMode, maxStartAttempts, 30_000);
    }
}
