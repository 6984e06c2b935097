package io.pgherd.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgherd.common.config.HostPort;
import io.pgherd.postgres.CommandRunner;
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
 * and the operations the HA actions are made of. What its data directory holds ({@link DataDirectory}),
 * what the server says about its configuration ({@link ServerConfiguration}) and its replication slots
 * ({@link ReplicationSlots}) are classes of their own that it hands out. Everything here blocks; it runs
 * on the agent's loop thread only.
 */
final class LocalNode {
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
    private final DataDirectory data;
    private final ServerConfiguration configuration;
    private final ReplicationSlots slots;
    private final List<HbaRule> hba;
    private Status last = Status.STOPPED;

    LocalNode(AgentConfig config) {
        this.binaries = PgBinaries.find(Optional.ofNullable(config.get(AgentConfig.BIN_DIR)).map(Path::of));
        this.serverUser = ServerUser.detect();
        // Its own server it reaches over loopback; others reach it at the address it publishes (connect_address).
        this.node = new PostgresNode(config.name(), config.directory(), PostgresNode.LOOPBACK, config.get(AgentConfig.PORT),
                config.listenAddresses(), binaries, new CommandRunner(serverUser));
        this.credentialsDir = config.credentialsDirectory();
        this.credentials = Credentials.loadOrCreate(credentialsDir, LocalCluster.SUPERUSER, LocalCluster.REPLICATION_USER,
                serverUser);
        this.hba = HbaRule.forNetworks(credentials.superuser(), credentials.replicationUser(), config.memberNetworks(),
                config.clientNetworks());
        this.timeout = config.get(AgentConfig.START_TIMEOUT);
        this.data = new DataDirectory(node, timeout);
        this.configuration = new ServerConfiguration(this::connect);
        this.slots = new ReplicationSlots(config.name(), this::connect, this::connectTo);
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

    /** The data directory, its system identifier and the was-primary marker. */
    DataDirectory dataDirectory() {
        return data;
    }

    /** What the running server says about its configuration. */
    ServerConfiguration configuration() {
        return configuration;
    }

    /** The replication slots on this server (when it leads) and this member's on the standby it was cloned from. */
    ReplicationSlots slots() {
        return slots;
    }

    /** The address this standby streams from, if it streams from one. */
    Optional<HostPort> followed() {
        if (!node.isInitialized() || node.followedPort() < 0) {
            return Optional.empty();
        }
        return Optional.of(new HostPort(node.followedHost(), node.followedPort()));
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

    /** A superuser connection to another member's server at the address it publishes. */
    private Connection connectTo(String member, HostPort address) throws SQLException {
        return peer(member, address).connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
    }

    /** Another member's server at the address it publishes (its directory, never used here, assumed beside this one's). */
    private PostgresNode peer(String member, HostPort address) {
        return new PostgresNode(member, node.dir().resolveSibling(member), address.host(), address.port(), List.of(),
                binaries, new CommandRunner(serverUser));
    }

    /**
     * This host's pg_hba.conf (a clone copies its source's, which names that host's networks) and the managed
     * configuration, before a start.
     */
    private void configure(Map<String, String> parameters) {
        node.writeHba(hba);
        node.writeConfiguration(parameters);
    }

    /**
     * initdb, configuration, start, the replication role: a new primary. When any step fails the
     * half-made data directory is removed (stopping its server first), so the next attempt starts clean.
     */
    void initialize(Map<String, String> parameters) {
        try {
            node.initdb(credentials.superuser(), credentials.superuserPassword());
            configure(parameters);
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
        data.wasPrimary(true);
    }

    /** A new data directory cloned from {@code source} at the address it publishes, then started as its standby. */
    void cloneFrom(String source, HostPort address, Map<String, String> parameters) {
        node.cloneFrom(peer(source, address), credentials, passfile(), ReplicationSlots.slotName(node.name()));
        configure(parameters);
        data.wasPrimary(false);
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
        configure(parameters);
        node.start(timeout);
    }

    /** Points the node at the leader's published address (slot named after this member) for its next start or reload. */
    void follow(HostPort leader) {
        node.follow(leader.host(), leader.port(), credentials.replicationUser(), passfile(),
                ReplicationSlots.slotName(node.name()));
    }

    void reload() {
        node.reload();
    }

    /** Writes the managed configuration file with {@code parameters}, for the next start of a stopped server. */
    void writeConfiguration(Map<String, String> parameters) {
        configure(parameters);
    }

    /** Stops the server (if it runs) and starts it with {@code parameters}; the data directory stays as it is. */
    void restart(Map<String, String> parameters) {
        node.stop(timeout);
        start(parameters);
    }

    void promote() {
        node.promote(timeout);
        data.wasPrimary(true);
    }

    void stop() {
        node.stop(timeout);
    }

    /** Restarts a primary as a read-only standby that follows nobody yet. */
    void demote(Map<String, String> parameters) {
        node.stop(timeout);
        node.configureReadOnlyStandby();
        configure(parameters);
        node.start(timeout);
    }

    /**
     * pg_rewind from the leader (crash recovery first if needed). Leaves the node stopped.
     *
     * @throws IllegalStateException before touching anything when the leader is not yet a primary with a
     *         checkpoint on its current timeline (try again later)
     */
    void rewind(HostPort leader) {
        requireCheckpointOnCurrentTimeline(leader);
        node.stop(timeout);
        node.rewind(leader.host(), leader.port(), credentials.superuser(), credentialsDir.resolve(SUPERUSER_PASSFILE),
                Duration.ofMinutes(5));
        data.wasPrimary(false);
    }

    /**
     * pg_rewind of PostgreSQL 15 takes the source's timeline from its control file, that is from its last
     * checkpoint: from a leader promoted moments ago (no checkpoint on the new timeline yet) it rewinds
     * to the old timeline and leaves a data directory that cannot start as the leader's standby
     * ("requested timeline 3 does not contain minimum recovery point ... on timeline 1"). So the leader
     * must be a primary, and is asked for a checkpoint when its last one is on an older timeline (as
     * Patroni does after a promotion).
     */
    private void requireCheckpointOnCurrentTimeline(HostPort address) {
        PostgresNode leader = peer("leader", address);
        try (Connection c = leader.connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new IllegalStateException("the leader at " + address + " is not promoted yet;"
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
            throw new IllegalStateException("could not check the leader at " + address + " before rewinding: "
                    + e.getMessage(), e);
        }
    }

    /** Replaces the data directory with a fresh clone of the leader (when rewinding failed). */
    void reclone(String leaderName, HostPort leader, Map<String, String> parameters) {
        node.stop(timeout);
        node.removeDataDirectory();
        cloneFrom(leaderName, leader, parameters);
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

    /** Whether this node's {@code postgresql.auto.conf} holds a {@code synchronous_standby_names} (set by ALTER SYSTEM). */
    boolean setsSynchronousStandbyNames() {
        return PgConfFile.read(node.dataDir().resolve("postgresql.auto.conf"))
                .get(PostgresNode.SYNCHRONOUS_STANDBY_NAMES).isPresent();
    }

    private Path passfile() {
        return credentialsDir.resolve(Credentials.REPLICATION_PASSFILE);
    }
}
