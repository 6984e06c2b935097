package io.pgherd.agent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.postgres.PostgresNode;

/**
 * What the agent's running PostgreSQL says about its configuration, for {@link AppliedConfig}: the parameters
 * waiting for a restart and the faults it finds in the managed file ({@code pg_settings}, {@code pg_file_settings}),
 * its reason to refuse a value, its parameter catalogue; and the reload that has it read its files again. Each call
 * opens a short-lived superuser connection and throws {@link SQLException} when the server does not answer. Blocks;
 * the agent's loop thread only.
 */
final class ServerConfiguration {
    /** Opens a superuser connection to the local server. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * What the running server says about its configuration.
     *
     * @param pendingRestart parameters whose new values apply only after a restart, sorted
     * @param errors what PostgreSQL refused in the managed file when it last read it (one line each)
     */
    record Settings(List<String> pendingRestart, List<String> errors) {
    }

    /**
     * One line of the managed file the running server finds fault with, as {@code pg_file_settings}
     * (which reads the files afresh on each query, without applying them) says.
     *
     * @param name the parameter
     * @param value the value written
     * @param error PostgreSQL's word: {@code unrecognized configuration parameter}, or {@code setting could not be
     *              applied} for an invalid value and for a parameter that needs a restart alike
     */
    record FileError(String name, String value, String error) {
    }

    private final Connector server;

    ServerConfiguration(Connector server) {
        this.server = server;
    }

    /** Has the running server read its configuration files again. */
    void reloadConfiguration() throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /** What the running server would refuse in the managed file as it is now on disk, before a reload. */
    List<FileError> fileErrors() throws SQLException {
        List<FileError> out = new ArrayList<>();
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, setting, error FROM pg_file_settings WHERE error IS NOT NULL"
                     + " AND name IS NOT NULL AND sourcefile LIKE '%/" + PostgresNode.MANAGED_CONF + "' ORDER BY sourceline")) {
            while (rs.next()) {
                out.add(new FileError(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    /**
     * PostgreSQL's own reason for refusing {@code name = value}, found by setting it in a transaction that
     * is rolled back (no effect on the server); empty when it takes it or it cannot be tried so (a
     * parameter that may not change in a session), and when the server does not answer.
     */
    Optional<String> refusal(String name, String value) {
        try (Connection c = server.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT set_config(?, ?, true)")) {
                s.setString(1, name);
                s.setString(2, value);
                s.executeQuery().close();
                return Optional.empty();
            } catch (SQLException e) {
                String message = e.getMessage().lines().findFirst().orElse("").replaceFirst("^ERROR: ", "");
                return message.contains("cannot be changed") || message.contains("cannot be set") || message.contains("permission")
                        ? Optional.empty() : Optional.of(message);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** What the running server says about each of its parameters ({@code pg_settings}): the catalogue a change is checked against. */
    ParameterCatalogue catalogue() throws SQLException {
        Map<String, ParameterCatalogue.Parameter> parameters = new HashMap<>();
        String version = "";
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT split_part(current_setting('server_version'), ' ', 1), name, context, vartype, coalesce(unit, ''),"
                     + " coalesce(min_val, ''), coalesce(max_val, ''), coalesce(enumvals, '{}') FROM pg_settings")) {
            while (rs.next()) {
                version = rs.getString(1);
                parameters.put(rs.getString(2).toLowerCase(Locale.ROOT), new ParameterCatalogue.Parameter(rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        List.of((String[]) rs.getArray(8).getArray())));
            }
        }
        return new ParameterCatalogue(version, parameters);
    }

    /** Reads {@code pg_settings} and {@code pg_file_settings} of the running server. */
    Settings settings() throws SQLException {
        List<String> pending = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")) {
                while (rs.next()) {
                    pending.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT coalesce(name, '(line ' || sourceline || ')') || ': ' || error"
                    + " FROM pg_file_settings WHERE error IS NOT NULL"
                    // A parameter that needs a restart shows this "error"; pending_restart already says so.
                    + " AND error <> 'setting could not be applied' AND sourcefile LIKE '%/" + PostgresNode.MANAGED_CONF
                    + "' ORDER BY sourceline")) {
                while (rs.next()) {
                    errors.add(rs.getString(1));
                }
            }
        }
        return new Settings(List.copyOf(pending), List.copyOf(errors));
    }
}
