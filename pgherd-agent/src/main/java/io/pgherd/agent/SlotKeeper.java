package io.pgherd.agent;

import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.SeenMembers;
import io.pgherd.agent.ha.SlotRules;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;

/**
 * The agent's replication slots, what it does about them each cycle: it remembers the members it sees
 * ({@link SeenMembers}); as the leader it keeps a slot for each member {@link SlotRules} says
 * and drops the others; as a member cloned from a standby it drops the slot the clone made there once it follows
 * the leader. A failed drop is tried again the next cycle; a failed keep too ({@link ReplicationSlots#keep}). Not
 * thread-safe: the agent's loop thread only.
 */
final class SlotKeeper {
    private static final Logger log = LoggerFactory.getLogger(SlotKeeper.class);

    private final String name;
    private final LocalNode local;
    private final SeenMembers seen;
    /** The standby this member was cloned from, whose slot for it is to be dropped once it follows the leader; or null. */
    private String cloneSource;

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
            if (local.slots().dropOn(cloneSource, source.port())) {
                log.info("{}: dropped the replication slot its clone made on {} (it follows the leader {} now)", name,
                        cloneSource, following);
                cloneSource = null;
            }
        } catch (SQLException e) {
            log.warn("{}: could not drop the replication slot its clone made on {}: {}", name, cloneSource, e.getMessage());
        }
    }
}
