package io.pgherd.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.controller.replicas.ReplicaCluster;
import io.pgherd.controller.replicas.StepFailure;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Deadline;
import io.pgherd.postgres.LocalCluster;

/**
 * {@link ReplicaCluster} of a cluster in a DCS: its records, and its leader's PostgreSQL (found by the leader's
 * member record) reached as the superuser, with the password read from a file at each connection (for a local
 * cluster the one {@code pgherd up} keeps in the directory; for a controller on another host its
 * {@code controller.superuser_password_file}).
 */
final class LocalReplicaCluster implements ReplicaCluster {
    private static final int SLOT_RELEASE_SECONDS = 10;
    private final Dcs dcs;
    private final String cluster;
    private final Path passwordFile;

    /** The cluster made by {@code pgherd up} in {@code directory}, read through {@code dcs}. */
    LocalReplicaCluster(ClusterDirectory directory, Dcs dcs) {
        this(dcs, directory.read().cluster(), directory.path().resolve(Credentials.SUPERUSER_PASSWORD_FILE));
    }

    /**
     * The cluster {@code cluster}, reached as the superuser with the password in {@code passwordFile}.
     *
     * @param dcs the controller's DCS client (not closed here): each snapshot is one read through it
     */
    LocalReplicaCluster(Dcs dcs, String cluster, Path passwordFile) {
        this.dcs = dcs;
        this.cluster = cluster;
        this.passwordFile = passwordFile;
    }

    @Override
    public ClusterSnapshot snapshot() {
        return new ClusterStore(dcs, cluster).read();
    }

    @Override
    public Optional<String> replicationState(String member) {
        Optional<Member> leader = leader();
        if (leader.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = connect(leader.get());
             PreparedStatement s = c.prepareStatement("SELECT state FROM pg_stat_replication WHERE application_name = ?")) {
            s.setString(1, member);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Drops the slot once no WAL sender uses it: a member just stopped may hold it for a moment (its WAL sender
     * on the leader ends a little after its PostgreSQL); still in use after {@value #SLOT_RELEASE_SECONDS} s, the
     * step fails.
     */
    @Override
    public void dropSlot(String member) {
        Member leader = leader().orElseThrow(() -> new StepFailure("no leader: cannot drop the replication slot of " + member));
        String slot = slotName(member);
        try (Connection c = connect(leader);
             PreparedStatement active = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?");
             PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                     + " WHERE slot_name = ? AND NOT active")) {
            active.setString(1, slot);
            drop.setString(1, slot);
            boolean released = Deadline.await(Duration.ofSeconds(SLOT_RELEASE_SECONDS), () -> gone(active, drop));
            if (!released) {
                throw new StepFailure("the replication slot " + slot + " of " + member + " on " + leader.name()
                        + " is still in use after " + SLOT_RELEASE_SECONDS + " s: a WAL sender streams from it");
            }
        } catch (SQLException e) {
            throw new StepFailure("could not drop the replication slot of " + member + " on " + leader.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Whether the slot is gone; drops it when no WAL sender uses it (gone at the next call). */
    private static boolean gone(PreparedStatement active, PreparedStatement drop) {
        try {
            try (ResultSet rs = active.executeQuery()) {
                if (!rs.next()) {
                    return true;
                }
                if (rs.getBoolean(1)) {
                    return false;
                }
            }
            drop.executeQuery().close();
            return false;
        } catch (SQLException e) {
            throw new StepFailure("could not drop a replication slot: " + e.getMessage(), e);
        }
    }

    /**
     * The replication slot of {@code member} on the leader, named as the agents name it ({@code LocalNode.slotName}
     * in pgherd-agent): lower case, every other character than a-z, 0-9 and _ as _.
     */
    static String slotName(String member) {
        return member.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private Optional<Member> leader() {
        ClusterSnapshot snapshot = snapshot();
        return snapshot.leader().map(l -> snapshot.members().get(l.member())).filter(Member::routable);
    }

    private Connection connect(Member member) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", LocalCluster.SUPERUSER);
        props.setProperty("password", superuserPassword());
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "pgherd controller");
        return DriverManager.getConnection("jdbc:postgresql://" + member.host() + ":" + member.port() + "/postgres", props);
    }

    /** The superuser's password, read afresh (a changed file is used at the next connection). */
    private String superuserPassword() {
        try {
            return Files.readString(passwordFile).strip();
        } catch (NoSuchFileException e) {
            throw new StepFailure("could not read the superuser's password from " + passwordFile + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new StepFailure("could not read the superuser's password from " + passwordFile + ": permission denied", e);
        } catch (IOException e) {
            throw new StepFailure("could not read the superuser's password from " + passwordFile + ": " + e.getMessage(), e);
        }
    }
}
