package io.pgherd.agent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.pgherd.common.config.HostPort;

/**
 * The physical replication slots the agent creates and drops: on its own PostgreSQL when it leads
 * ({@link #keep}) or, as a standby, those left inactive there ({@link #inactive}, {@link #dropInactive}), and the one a clone made for this member on the standby it was cloned from
 * ({@link #dropOn}). A slot is named after its member ({@link #slotName}). Each call opens a short-lived
 * superuser connection. Blocks; the agent's loop thread only.
 */
final class ReplicationSlots {
    /** Opens a superuser connection to the server of {@code member} at the address it publishes. */
    @FunctionalInterface
    interface PeerConnector {
        Connection connect(String member, HostPort address) throws SQLException;
    }

    private final String member;
    private final ServerConfiguration.Connector local;
    private final PeerConnector peers;

    /** @param member this member, whose slot {@link #dropOn} drops */
    ReplicationSlots(String member, ServerConfiguration.Connector local, PeerConnector peers) {
        this.member = member;
        this.local = local;
        this.peers = peers;
    }

    /**
     * Creates a physical slot for each of {@code slots} that is missing and drops inactive ones not listed, on the
     * local server. Whatever fails is left for the next call (the server may be busy or stopping).
     */
    void keep(Collection<String> slots) {
        try (Connection c = local.connect(); Statement s = c.createStatement()) {
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

    /** The inactive physical slots of the local server (nothing streams through them now). */
    Set<String> inactive() throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Connection c = local.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE NOT active AND slot_type = 'physical'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Drops each of {@code slots} on the local server that is still inactive; returns those dropped. */
    Set<String> dropInactive(Collection<String> slots) throws SQLException {
        Set<String> dropped = new TreeSet<>();
        try (Connection c = local.connect();
             PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                     + " WHERE slot_name = ? AND NOT active AND slot_type = 'physical'")) {
            for (String slot : slots) {
                drop.setString(1, slot);
                try (ResultSet rs = drop.executeQuery()) {
                    if (rs.next()) {
                        dropped.add(slot);
                    }
                }
            }
        }
        return dropped;
    }

    /**
     * Drops this member's replication slot on {@code sourceName} at {@code source} (its published address), the standby it was
     * cloned from (the clone made the slot there; once this member follows the leader nothing uses it, and it would
     * keep WAL on that standby for good).
     *
     * @return true when the slot is gone (dropped now, or absent); false while something still streams through it
     */
    boolean dropOn(String sourceName, HostPort source) throws SQLException {
        String slot = slotName(member);
        try (Connection c = peers.connect(sourceName, source); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                    + "' AND NOT active");
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                return !rs.next();
            }
        }
    }

    /** The replication slot of a member on the leader: its name in lower case, other characters as {@code _}. */
    static String slotName(String member) {
        return member.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** The slots of {@code members} ({@link #slotName}). */
    static Set<String> slotNames(Collection<String> members) {
        return members.stream().map(ReplicationSlots::slotName).collect(Collectors.toSet());
    }
}
