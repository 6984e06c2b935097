package io.pgherd.agent.api;

import java.util.List;

/**
 * What Patroni's status document shows of PostgreSQL beyond what the agent's cycle sees, read from the
 * running server when a status document is asked for (see {@link PatroniStatus}). Immutable.
 *
 * @param postmasterStartTime when the postmaster started, as Patroni shows it ({@code 2030-01-02 03:04:05.678 UTC})
 * @param serverVersion {@code server_version_num} ({@code 150004})
 * @param systemIdentifier the database system identifier ({@code pg_control_system()})
 * @param replication each WAL sender of a primary (empty on a standby)
 * @param replayedTimestamp a standby's last replayed commit time (null: none, or a primary)
 * @param replayPaused whether a standby's replay is paused
 * @param streaming whether a standby's WAL receiver streams
 */
public record ServerFacts(String postmasterStartTime, int serverVersion, String systemIdentifier, List<Replication> replication,
                          String replayedTimestamp, boolean replayPaused, boolean streaming) {
    public ServerFacts {
        replication = List.copyOf(replication);
    }

    /**
     * One row of Patroni's {@code replication} array: a WAL sender of the primary.
     *
     * @param usename the replication user
     * @param applicationName the standby's {@code application_name} (its member name)
     * @param clientAddr its address (null: a Unix socket)
     * @param state {@code streaming}, {@code catchup}, ...
     * @param syncState {@code sync}, {@code async}, {@code potential}, {@code quorum}
     * @param syncPriority its priority in {@code synchronous_standby_names}
     */
    public record Replication(String usename, String applicationName, String clientAddr, String state, String syncState,
                              int syncPriority) {
    }
}
