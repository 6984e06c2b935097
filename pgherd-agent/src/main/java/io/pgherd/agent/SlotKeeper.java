package io.pgherd.agent;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.SeenMembers;
import io.pgherd.agent.ha.SlotRules;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;
import io.pgherd.common.config.HostPort;

/**
 * The agent's replication slots, what it does about them each cycle: it remembers the members it sees
 * ({@link SeenMembers}); as the leader it keeps a slot for each member {@link SlotRules} says
 * and drops the others; as a member cloned from a standby it drops the slot the clone made there once it follows
 * the leader; as a standby it drops the slots of its own server left inactive ({@link #dropStaleAsStandby}). A
 * failed drop is tried again the next cycle; a failed keep too ({@link ReplicationSlots#keep}). Not thread-safe: the
 * agent's loop thread only.
 */
final class SlotKeeper {
    private static final Logger log = LoggerFactory.getLogger(SlotKeeper.class);

    private final String name;
    private final LocalNode local;
    private final SeenMembers seen;
    /** The standby this member was cloned from, whose slot for it is to be dropped once it follows the leader; or null. */
    private String cloneSource;
    /** As a standby: when each inactive slot of its server was first seen so ({@link SlotRules#inactiveSince}). */
    private Map<String, Long> inactiveSince = Map.of();

    /**
     * @param name this member
     * @param retentionMillis how long a member not seen any more keeps its slot ({@code agent.slot_retention})
     */
    SlotKeeper(String name, LocalNode local, long retentionMillis) {
        this.name = name;
        this.local = local;
        this.seen = new SeenMembers(retentionMillis);
    }

    /** Remembers the members of a cycle that read the DCS ({@code snapshot} null: none read yet). */
    void observe(ClusterState cluster, ClusterSnapshot snapshot, long nowMillis) {
        seen.observe(cluster, nowMillis);
        if (snapshot != null) {
            seen.observeAssignments(snapshot.assignments());
        }
    }

    /** As the leader: creates the slots of the members remembered and drops the inactive others. */
    void keepSlots(ClusterState cluster, long nowMillis) {
        local.slots().keep(ReplicationSlots.slotNames(seen.toKeep(cluster, name, nowMillis)));
    }

    /**
     * As a standby (a running server in recovery that does not lead): drops the slots of its own server that stayed
     * inactive for {@link SlotRules#STANDBY_SLOT_GRACE_MILLIS}, left by a clone that died or from when it led
     * ({@link SlotRules}). Nothing is remembered while it leads or is not a running standby.
     */
    void dropStaleAsStandby(boolean standby, long nowMillis) {
        if (!standby) {
            inactiveSince = Map.of();
            return;
        }
        try {
            inactiveSince = SlotRules.inactiveSince(inactiveSince, local.slots().inactive(), nowMillis);
            Set<String> stale = SlotRules.staleOnStandby(inactiveSince, nowMillis);
            if (!stale.isEmpty()) {
                Set<String> dropped = local.slots().dropInactive(stale);
                if (!dropped.isEmpty()) {
                    log.info("{}: dropped the replication slot(s) {} on this standby, inactive for {} s or more (nothing"
                            + " streams from a standby; they kept WAL here)", name, String.join(", ", dropped),
                            SlotRules.STANDBY_SLOT_GRACE_MILLIS / 1000);
                }
            }
        } catch (SQLException e) {
            log.debug("{}: could not look at this standby's replication slots: {}", name, e.getMessage());
        }
    }

    /** After a clone from {@code source}: its slot there is to be dropped later, unless {@code source} leads (it stays). */
    void clonedFrom(String source, ClusterState cluster) {
        cloneSource = cluster.ledBy(source) ? null : source;
    }

    /**
     * Once this member, cloned from a standby, follows the leader, drops the slot the clone made on that standby
     * (nothing streams through it any more; it would keep WAL there for good). Tried every cycle until it is gone.
     */
    void dropCloneSlot(ClusterState cluster, String following) {
        if (cloneSource == null || following.isEmpty() || !cluster.ledBy(following) || following.equals(cloneSource)) {
            return;
        }
        Member source = cluster.members().get(cloneSource);
        if (source == null || !source.running()) {
            return;
        }
        try {
            if (local.slots().dropOn(cloneSource, new HostPort(source.host(), source.port()))) {
                log.info("{}: dropped the replication slot its clone made on {} (it follows the leader {} now)", name,
                        cloneSource, following);
                cloneSource = null;
            }
        } catch (SQLException e) {
            log.warn("{}: could not drop the replication slot its clone made on {}: {}", name, cloneSource, e.getMessage());
        }
    }
}
