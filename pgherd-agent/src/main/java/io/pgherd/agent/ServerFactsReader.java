package io.pgherd.agent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.pgherd.agent.api.ServerFacts;

/**
 * Reads {@link ServerFacts} from the local PostgreSQL for the REST API's status documents, on the API's
 * threads (never the agent's loop), at most once a second: a load balancer probing every member often
 * costs one small query a second at most. Empty while the server does not answer. Thread-safe.
 */
final class ServerFactsReader implements Supplier<Optional<ServerFacts>> {
    private static final long FRESH_MILLIS = 1_000;
    private static final String QUERY = "SELECT to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS.MS TZ'),"
            + " current_setting('server_version_num')::int, (SELECT system_identifier::text FROM pg_control_system()),"
            + " CASE WHEN pg_is_in_recovery() THEN pg_last_xact_replay_timestamp()::text END,"
            + " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,"
            + " EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')";
    private static final String SENDERS = "SELECT usename, application_name, client_addr::text, state, sync_state, sync_priority"
            + " FROM pg_stat_replication ORDER BY application_name";

    private final LocalNode local;
    private Optional<ServerFacts> last = Optional.empty();
    private long readAt;

    ServerFactsReader(LocalNode local) {
        this.local = local;
    }

    @Override
    public synchronized Optional<ServerFacts> get() {
        long now = System.currentTimeMillis();
        if (now - readAt < FRESH_MILLIS) {
            return last;
        }
        readAt = now;
        last = read();
        return last;
    }

    private Optional<ServerFacts> read() {
        try (Connection c = local.connect(); Statement s = c.createStatement()) {
            s.setQueryTimeout(2);
            String started;
            int version;
            String system;
            String replayed;
            boolean paused;
            boolean streaming;
            try (ResultSet rs = s.executeQuery(QUERY)) {
                rs.next();
                started = rs.getString(1);
                version = rs.getInt(2);
                system = rs.getString(3);
                replayed = rs.getString(4);
                paused = rs.getBoolean(5);
                streaming = rs.getBoolean(6);
            }
            List<ServerFacts.Replication> senders = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(SENDERS)) {
                while (rs.next()) {
                    senders.add(new ServerFacts.Replication(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6)));
                }
            }
            return Optional.of(new ServerFacts(started, version, system, senders, replayed, paused, streaming));
        } catch (SQLException e) {
            // Stopped, starting or refusing connections: the document says only what the agent's cycle saw.
            return Optional.empty();
        }
    }
}
