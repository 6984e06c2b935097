package io.pgherd.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.postgres.CommandRunner;
import io.pgherd.postgres.ControlFile;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.HbaRule;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PgConfFile;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.SecureFiles;
import io.pgherd.postgres.ServerUser;

/**
 * The agent's own PostgreSQL: what it is doing (inspected each cycle over a short-lived connection)
 * and the operations the HA actions are made of. Everything here blocks; it runs on the agent's
 * loop thread only.
 */
final class LocalNode {
    /** A marker in the node's directory: this data directory has been a primary since it last followed anyone. */
    static final String WAS_PRIMARY = "pgherd.was-primary";
    /** libpq password file of the superuser, for pg_rewind (owned by the server user). */
    static final String SUPERUSER_PASSFILE = "superuser.pgpass";

    /**
     * What one inspection found.
     *
     * @param position the current WAL position of a primary, the last received (or replayed) one of a standby
     */
    record Status(boolean running, boolean inRecovery, long position, long replayed, int timeline, boolean streaming) {
        static final Status STOPPED = new Status(false, false, 0, 0, 0, false);
    }

    private final PgBinaries binaries;
    private final ServerUser serverUser;
    private final PostgresNode node;
    private final Credentials credentials;
    private final Path credentialsDir;
    private final Duration timeout;
    private Status last = Status.STOPPED;

    LocalNode(AgentConfig config) {
        this.binaries = PgBinaries.find(Optional.ofNullable(config.get(AgentConfig.BIN_DIR)).map(Path::of));
        this.serverUser = ServerUser.detect();
        this.node = new PostgresNode(config.name(), config.directory(), config.get(AgentConfig.PORT), binaries,
                new CommandRunner(serverUser));
        this.credentialsDir = config.credentialsDirectory();
        this.credentials = Credentials.loadOrCreate(credentialsDir, LocalCluster.SUPERUSER, LocalCluster.REPLICATION_USER,
                serverUser);
        this.timeout = config.get(AgentConfig.START_TIMEOUT);
        // A clone this agent was killed in the middle of: its partial copy goes, never to be started or kept.
        node.discardInterruptedClone();
        Path superPass = credentialsDir.resolve(SUPERUSER_PASSFILE);
        if (!Files.exists(superPass)) {
            SecureFiles.write(superPass, "*:*:*:" + credentials.superuser() + ":" + credentials.superuserPassword() + "\n",
                    serverUser);
        }
    }

    int port() {
        return node.port();
    }

    boolean hasDataDirectory() {
        return node.isInitialized();
    }

    /** The database system identifier of the data directory, empty without one. */
    Optional<String> systemIdentifier() {
        return node.isInitialized() ? ControlFile.systemIdentifier(node.dataDir()) : Optional.empty();
    }

    boolean wasPrimary() {
        return Files.exists(node.dir().resolve(WAS_PRIMARY));
    }

    void wasPrimary(boolean value) {
        marker(WAS_PRIMARY, value);
    }

    private void marker(String file, boolean present) {
        try {
            if (present) {
                Files.writeString(node.dir().resolve(file), "");
            } else {
                Files.deleteIfExists(node.dir().resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port this standby streams from, or -1. */
    int followedPort() {
        return node.isInitialized() ? node.followedPort() : -1;
    }

    /**
     * Inspects the server: {@link Status#STOPPED} when no postmaster runs (a stale pid file left by
     * a crash counts as stopped); when the postmaster runs but does not answer (busy, starting), the
     * last answer stands, so a slow server is not taken for a dead one.
     */
    Status inspect() {
        java.util.OptionalLong pid = node.isInitialized() ? node.postmasterPid() : java.util.OptionalLong.empty();
        if (pid.isEmpty() || !io.pgherd.postgres.Processes.isRunning(pid.getAsLong())) {
            last = Status.STOPPED;
            return last;
        }
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), (CASE WHEN pg_is_in_recovery() THEN"
                     + " greatest(coalesce(pg_last_wal_receive_lsn(), '0/0'), coalesce(pg_last_wal_replay_lsn(), '0/0'))"
                     + " ELSE pg_current_wal_lsn() END) - '0/0', (CASE WHEN pg_is_in_recovery()"
                     + " THEN coalesce(pg_last_wal_replay_lsn(), '0/0') ELSE pg_current_wal_lsn() END) - '0/0',"
                     + " CASE WHEN pg_is_in_recovery() THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver),"
                     + " (SELECT timeline_id FROM pg_control_checkpoint())) ELSE ('x' || substr(pg_walfile_name("
                     + "pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
                     + " EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")) {
            rs.next();
            last = new Status(true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getBoolean(5));
            return last;
        } catch (SQLException e) {
            return last.running() ? last : new Status(true, node.isStandbyConfigured(), 0, 0, 0, false);
        }
    }

    Connection connect() throws SQLException {
        return node.connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
    }

    /**
     * initdb, configuration, start, the replication role: a new primary. When any step fails the
     * half-made data directory is removed (stopping its server first), so the next attempt starts clean.
     */
    void initialize(Map<String, String> parameters) {
        try {
            node.initdb(credentials.superuser(), credentials.superuserPassword());
            node.writeHba(HbaRule.loopback(credentials.replicationUser()));
            node.writeConfiguration(parameters);
            node.start(timeout);
            LocalCluster.createReplicationRole(node, credentials);
        } catch (RuntimeException e) {
            try {
                if (node.isInitialized()) {
                    node.stop(timeout);
                    node.removeDataDirectory();
                }
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        wasPrimary(true);
    }

    /** A new data directory cloned from the leader at 127.0.0.1:{@code leaderPort}, then started as its standby. */
    void cloneFrom(String leaderName, int leaderPort, Map<String, String> parameters) {
        PostgresNode leader = new PostgresNode(leaderName, node.dir().resolveSibling(leaderName), leaderPort, binaries,
                new CommandRunner(serverUser));
        node.cloneFrom(leader, credentials, passfile(), slotName(node.name()));
        node.writeConfiguration(parameters);
        wasPrimary(false);
        node.start(timeout);
    }

    void start(Map<String, String> parameters) {
        java.util.OptionalLong pid = node.postmasterPid();
        if (pid.isPresent() && io.pgherd.postgres.Processes.isRunning(pid.getAsLong())) {
            return;
        }
        if (pid.isPresent()) {
            // A killed postmaster stays a zombie until reaped, and its pid file then blocks a new start.
            io.pgherd.postgres.Deadline.await(Duration.ofSeconds(10), () -> ProcessHandle.of(pid.getAsLong()).isEmpty());
        }
        node.writeConfiguration(parameters);
        node.start(timeout);
    }

    /** Points the node at the leader (slot named after this member) for its next start or reload. */
    void follow(int leaderPort) {
        node.follow(leaderPort, credentials.replicationUser(), passfile(), slotName(node.name()));
    }

    void reload() {
        node.reload();
    }

    /**
     * What the running server says about its configuration.
     *
     * @param pendingRestart parameters whose new values apply only after a restart, sorted
     * @param errors what PostgreSQL refused in the managed file when it last read it (one line each)
     */
    record Settings(List<String> pendingRestart, List<String> errors) {
    }

    /** Has the running server read its configuration files again. */
    void reloadConfiguration() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
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

    /** What the running server would refuse in the managed file as it is now on disk, before a reload. */
    List<FileError> fileErrors() throws SQLException {
        List<FileError> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
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
     * parameter that may not change in a session).
     */
    Optional<String> refusal(String name, String value) {
        try (Connection c = connect()) {
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
        try (Connection c = connect(); Statement s = c.createStatement();
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

    /** Writes the managed configuration file with {@code parameters}, for the next start of a stopped server. */
    void writeConfiguration(Map<String, String> parameters) {
        node.writeConfiguration(parameters);
    }

    /** Reads {@code pg_settings} and {@code pg_file_settings} of the running server. */
    Settings settings() throws SQLException {
        List<String> pending = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
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

    /** Stops the server (if it runs) and starts it with {@code parameters}; the data directory stays as it is. */
    void restart(Map<String, String> parameters) {
        node.stop(timeout);
        start(parameters);
    }

    void promote() {
        node.promote(timeout);
        wasPrimary(true);
    }

    void stop() {
        node.stop(timeout);
    }

    /** Restarts a primary as a read-only standby that follows nobody yet. */
    void demote(Map<String, String> parameters) {
        node.stop(timeout);
        node.configureReadOnlyStandby();
        node.writeConfiguration(parameters);
        node.start(timeout);
    }

    /**
     * pg_rewind from the leader (crash recovery first if needed). Leaves the node stopped.
     *
     * @throws IllegalStateException before touching anything when the leader is not yet a primary with a
     *         checkpoint on its current timeline (try again later)
     */
    void rewind(int leaderPort) {
        requireCheckpointOnCurrentTimeline(leaderPort);
        node.stop(timeout);
        node.rewind(leaderPort, credentials.superuser(), credentialsDir.resolve(SUPERUSER_PASSFILE), Duration.ofMinutes(5));
        wasPrimary(false);
    }

    /**
     * pg_rewind of PostgreSQL 15 takes the source's timeline from its control file, that is from its last
     * checkpoint: from a leader promoted moments ago (no checkpoint on the new timeline yet) it rewinds
     * to the old timeline and leaves a data directory that cannot start as the leader's standby
     * ("requested timeline 3 does not contain minimum recovery point ... on timeline 1"). So the leader
     * must be a primary, and is asked for a checkpoint when its last one is on an older timeline (as
     * Patroni does after a promotion).
     */
    private void requireCheckpointOnCurrentTimeline(int leaderPort) {
        PostgresNode leader = new PostgresNode("leader", node.dir().resolveSibling("leader"), leaderPort, binaries,
                new CommandRunner(serverUser));
        try (Connection c = leader.connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new IllegalStateException("the leader on port " + leaderPort + " is not promoted yet;"
                            + " rewinding when it is");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT timeline_id = ('x' || substr(pg_walfile_name(pg_current_wal_lsn()),"
                    + " 1, 8))::bit(32)::int FROM pg_control_checkpoint()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    s.execute("CHECKPOINT");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not check the leader on port " + leaderPort + " before rewinding: "
                    + e.getMessage(), e);
        }
    }

    /** Replaces the data directory with a fresh clone of the leader (when rewinding failed). */
    void reclone(String leaderName, int leaderPort, Map<String, String> parameters) {
        node.stop(timeout);
        node.removeDataDirectory();
        cloneFrom(leaderName, leaderPort, parameters);
    }

    /**
     * Drops this member's replication slot on {@code sourceName} at 127.0.0.1:{@code sourcePort}, the standby it was
     * cloned from (the clone made the slot there; once this member follows the leader nothing uses it, and it would
     * keep WAL on that standby for good).
     *
     * @return true when the slot is gone (dropped now, or absent); false while something still streams through it
     */
    boolean dropSlotOn(String sourceName, int sourcePort) throws SQLException {
        PostgresNode source = new PostgresNode(sourceName, node.dir().resolveSibling(sourceName), sourcePort, binaries,
                new CommandRunner(serverUser));
        String slot = slotName(node.name());
        try (Connection c = source.connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
             Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                    + "' AND NOT active");
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                return !rs.next();
            }
        }
    }

    /** Stops PostgreSQL and deletes the data directory (a released spare). */
    void retire() {
        node.stop(timeout);
        node.removeDataDirectory();
        wasPrimary(false);
    }

    /** A checkpoint, so a clean shutdown is quick. */
    void checkpoint() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            // A slower shutdown, nothing worse.
        }
    }

    /**
     * Runs one write and returns when it committed locally (the "first write" of a new primary). It does
     * not wait for a synchronous standby: a primary that takes the key while running may still name one
     * that no longer streams, and the loop thread must not hang on it (the leader's next cycle fixes it).
     */
    void firstWrite() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = local");
            s.execute("SELECT pg_catalog.pg_current_xact_id()");
        }
    }

    /** Creates a physical slot for each of {@code slots} that is missing and drops inactive ones not listed. */
    void keepSlots(Collection<String> slots) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String slot : slots) {
                s.execute("SELECT pg_create_physical_replication_slot('" + slot + "') WHERE NOT EXISTS"
                        + " (SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "')");
            }
            List<String> drop = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE NOT active"
                    + " AND slot_type = 'physical'")) {
                while (rs.next()) {
                    if (!slots.contains(rs.getString(1))) {
                        drop.add(rs.getString(1));
                    }
                }
            }
            for (String slot : drop) {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        } catch (SQLException e) {
            // Next cycle.
        }
    }

    /** Whether this node's {@code postgresql.auto.conf} holds a {@code synchronous_standby_names} (set by ALTER SYSTEM). */
    boolean setsSynchronousStandbyNames() {
        return PgConfFile.read(node.dataDir().resolve("postgresql.auto.conf"))
                .get(PostgresNode.SYNCHRONOUS_STANDBY_NAMES).isPresent();
    }

    /** The replication slot of a member on the leader: its name in lower case, other characters as {@code _}. */
    static String slotName(String member) {
        return member.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    static Set<String> slotNames(Collection<String> members) {
        return members.stream().map(LocalNode::slotName).collect(java.util.stream.Collectors.toSet());
    }

    private Path passfile() {
        return credentialsDir.resolve(Credentials.REPLICATION_PASSFILE);
    }
}
