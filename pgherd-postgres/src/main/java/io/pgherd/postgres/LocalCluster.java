package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replicated PostgreSQL cluster on this machine: one primary and its streaming standbys and read
 * replicas, laid out by a {@link ClusterLayout}. {@link #start} creates what does not exist yet
 * ({@code initdb} for the primary, {@code pg_basebackup} for the others) and starts what is not
 * running, so it both creates and reuses a cluster. Blocking; one controlling thread at a time.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String SUPERUSER = "postgres";
    public static final String REPLICATION_USER = "replicator";
    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

    private final ClusterLayout layout;
    private final ServerUser user;
    private final List<PostgresNode> nodes = new ArrayList<>();
    private Credentials credentials;

    private LocalCluster(ClusterLayout layout, PgBinaries binaries, ServerUser user) {
        this.layout = layout;
        this.user = user;
        CommandRunner runner = new CommandRunner(user);
        for (NodeSpec spec : layout.nodes()) {
            nodes.add(new PostgresNode(spec.name(), layout.root().resolve(spec.name()), spec.port(), binaries, runner));
        }
    }

    /** A handle on the cluster laid out by {@code layout}; touches nothing until {@link #start}. */
    public static LocalCluster of(ClusterLayout layout, PgBinaries binaries, ServerUser user) {
        return new LocalCluster(layout, binaries, user);
    }

    public ClusterLayout layout() {
        return layout;
    }

    public List<PostgresNode> nodes() {
        return List.copyOf(nodes);
    }

    public PostgresNode primary() {
        return nodes.get(0);
    }

    /** The standbys and read replicas, in layout order. */
    public List<PostgresNode> followers() {
        return nodes.subList(1, nodes.size());
    }

    public PostgresNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in " + layout.root()));
    }

    public NodeRole role(PostgresNode node) {
        return layout.nodes().get(nodes.indexOf(node)).role();
    }

    /** The cluster's passwords (created on first use and kept in the cluster directory). */
    public Credentials credentials() {
        if (credentials == null) {
            prepareRoot();
            credentials = Credentials.loadOrCreate(layout.root(), SUPERUSER, REPLICATION_USER, user);
        }
        return credentials;
    }

    /** Whether every node's postmaster runs. */
    public boolean isRunning() {
        return nodes.stream().allMatch(PostgresNode::isRunning);
    }

    /**
     * Creates missing nodes, starts stopped ones (primary first), and waits until every follower
     * streams from the primary, each step bounded by {@code timeout}.
     */
    public void start(Duration timeout) {
        Credentials creds = credentials();
        PostgresNode primary = primary();
        Path passfile = layout.root().resolve(Credentials.REPLICATION_PASSFILE);
        boolean fresh = !primary.isInitialized();
        if (fresh) {
            primary.initdb(creds.superuser(), creds.superuserPassword());
            primary.writeHba(HbaRule.loopback(creds.replicationUser()));
        }
        primary.writeConfiguration(layout.parameters());
        if (!primary.isRunning()) {
            primary.start(timeout);
        }
        if (fresh) {
            createReplicationRole(primary, creds);
        }
        for (PostgresNode follower : followers()) {
            if (!follower.isInitialized()) {
                follower.cloneFrom(primary, creds, passfile, follower.name());
            } else {
                follower.follow(primary.port(), creds.replicationUser(), passfile, follower.name());
            }
            follower.writeConfiguration(layout.parameters());
            if (!follower.isRunning()) {
                follower.start(timeout);
            }
        }
        for (PostgresNode follower : followers()) {
            awaitStreaming(follower, timeout);
        }
    }

    /** Waits until {@code follower}'s WAL receiver streams from the primary. */
    public void awaitStreaming(PostgresNode follower, Duration timeout) {
        if (!Deadline.await(timeout, () -> streaming(follower))) {
            throw new PostgresException(follower.name() + " did not start streaming from " + primary().name() + " within "
                    + timeout.toSeconds() + " s; last lines of its log:\n" + Text.indent(follower.logTail(15)));
        }
        log.info("{}: streaming from {}", follower.name(), primary().name());
    }

    /** Stops every node that runs, followers first, each within {@code timeout}. */
    public void stop(Duration timeout) {
        List<PostgresNode> order = new ArrayList<>(followers());
        order.add(primary());
        PostgresException first = null;
        for (PostgresNode node : order) {
            try {
                node.stop(timeout);
            } catch (PostgresException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(60));
    }

    /** A superuser JDBC connection to {@code node}'s {@code postgres} database. */
    public Connection connect(PostgresNode node) throws SQLException {
        Credentials creds = credentials();
        return node.connect(creds.superuser(), creds.superuserPassword(), "postgres");
    }

    /** Every node's state, role and replay lag, with the first node as the primary. */
    public List<NodeStatus> status() {
        return status(primary());
    }

    /**
     * Every node's state, role and replay lag (as {@code primary} sees it). A node other than
     * {@code primary} that runs as a primary is reported as one; {@code primary} is reported as the
     * primary, a node created as the primary that no longer is one as a standby.
     */
    public List<NodeStatus> status(PostgresNode primary) {
        Map<String, Replication> replication = new HashMap<>();
        boolean primaryRunning = primary.isRunning();
        if (primaryRunning) {
            replication.putAll(replicationSeenFrom(primary));
        }
        List<NodeStatus> result = new ArrayList<>();
        for (PostgresNode node : nodes) {
            boolean running = node == primary ? primaryRunning : node.isRunning();
            NodeRole role = node == primary ? NodeRole.PRIMARY : role(node) == NodeRole.PRIMARY ? NodeRole.STANDBY : role(node);
            if (running && role != NodeRole.PRIMARY && Boolean.FALSE.equals(inRecovery(node).orElse(null))) {
                role = NodeRole.PRIMARY;
            }
            Replication r = replication.get(node.name());
            result.add(new NodeStatus(node.name(), role, node.port(), running,
                    r != null && "streaming".equals(r.state()), r == null ? null : r.lagBytes(), r == null ? null : r.lagSeconds()));
        }
        return result;
    }

    /** Whether {@code node} runs in recovery; empty when it does not answer. */
    public Optional<Boolean> inRecovery(PostgresNode node) {
        try (Connection c = connect(node); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
            rs.next();
            return Optional.of(rs.getBoolean(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private boolean streaming(PostgresNode follower) {
        return streamingFrom(follower, primary().port());
    }

    /** Whether {@code follower}'s WAL receiver streams from the server on {@code senderPort}. */
    public boolean streamingFrom(PostgresNode follower, int senderPort) {
        try (Connection c = connect(follower); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select sender_port from pg_stat_wal_receiver where status = 'streaming'")) {
            return rs.next() && rs.getInt(1) == senderPort;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * A standby's replay lag in seconds from {@code pg_stat_replication}: its {@code replay_lag}, or zero when there is
     * none and nothing is left to replay (the view shows no replay_lag once a standby is idle and caught up); else
     * unknown (null), e.g. just after a switchover, before the standby replayed anything from its new primary.
     */
    static Double lagSeconds(Double replayLag, Long lagBytes) {
        if (replayLag != null) {
            return replayLag;
        }
        return Long.valueOf(0).equals(lagBytes) ? Double.valueOf(0) : null;
    }

    private Map<String, Replication> replicationSeenFrom(PostgresNode primary) {
        Map<String, Replication> seen = new HashMap<>();
        String sql = "select application_name, state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,"
                + " extract(epoch from replay_lag)::float8 from pg_stat_replication";
        try (Connection c = connect(primary); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long bytes = rs.getLong(3);
                Long lagBytes = rs.wasNull() ? null : bytes;
                double seconds = rs.getDouble(4);
                Double lagSeconds = lagSeconds(rs.wasNull() ? null : seconds, lagBytes);
                seen.put(rs.getString(1), new Replication(rs.getString(2), lagBytes, lagSeconds));
            }
        } catch (SQLException e) {
            log.debug("{}: could not read pg_stat_replication: {}", primary.name(), e.getMessage());
        }
        return seen;
    }

    /** Creates the replication role on a new primary, its password hashed on the client. */
    public static void createReplicationRole(PostgresNode primary, Credentials creds) {
        try (Connection c = primary.connect(creds.superuser(), creds.superuserPassword(), "postgres");
             Statement s = c.createStatement()) {
            s.execute("create role " + creds.replicationUser() + " with replication login");
            // The password is hashed on the client, so it never travels or lands in a server log in clear.
            c.unwrap(PGConnection.class).alterUserPassword(creds.replicationUser(),
                    creds.replicationPassword().toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new PostgresException("could not create role " + creds.replicationUser() + " on " + primary.name() + ": "
                    + e.getMessage(), e);
        }
    }

    private void prepareRoot() {
        Path root = layout.root();
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create cluster directory " + root, e);
        }
    }

    private record Replication(String state, Long lagBytes, Double lagSeconds) {
    }
}
