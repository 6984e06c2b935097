package io.pgherd.agent;

import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ConflictException;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.dcs.Session;

/**
 * How this member becomes the leader, for the actions that take the key: after initializing the cluster, as a
 * running primary or by promoting its standby (TAKE_LEADERSHIP, PROMOTE), or back after it stopped cleanly while
 * leading (RESUME); with synchronous mode claimed first where it is on, and each promotion appended to the DCS
 * history with its measured timeline ({@link PromotionEntry}, from {@link LeaderSightings}). Another member taking
 * the key first is logged and is no failure; a failure of PostgreSQL or the DCS throws, as the loop expects of an
 * action. Not thread-safe: the agent's loop thread only.
 */
final class Leadership {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final String name;
    private final ClusterStore store;
    private final LocalNode local;
    private final SynchronousMode synchronous;
    private final ConfigFollower configured;
    private final Supplier<Session> session;
    private final LeaderSightings sightings;

    /** @param session the agent's current DCS session, which the leader key is taken under */
    Leadership(String name, ClusterStore store, LocalNode local, SynchronousMode synchronous, ConfigFollower configured,
               Supplier<Session> session, LeaderSightings sightings) {
        this.name = name;
        this.store = store;
        this.local = local;
        this.synchronous = synchronous;
        this.configured = configured;
        this.session = session;
        this.sightings = sightings;
    }

    /** After this member initialized the cluster: takes the key and records it ({@code initialized}). */
    void takeAfterInitializing(ClusterState cluster) {
        OptionalLong epoch = store.takeLeader(name, session.get());
        if (epoch.isPresent()) {
            long now = System.currentTimeMillis();
            record("initialized", cluster, epoch.getAsLong(), now, now);
        }
    }

    /** Takes the key, then promotes the standby, or records a running primary as the leader. */
    void takeLeadership(ClusterState cluster, LocalNode.Status status) {
        OptionalLong epoch = store.takeLeader(name, session.get());
        if (epoch.isEmpty()) {
            log.info("{}: another member took the leader key first", name);
            return;
        }
        long elected = System.currentTimeMillis();
        log.info("{}: took the leader key (epoch {})", name, epoch.getAsLong());
        if (status.inRecovery()) {
            promote(cluster, epoch.getAsLong(), elected);
        } else {
            if (configured.settings().synchronousMode()) {
                synchronous.claim();
            }
            local.dataDirectory().wasPrimary(true);
            record("took the key as a running primary", cluster, epoch.getAsLong(), elected, elected);
            cluster.switchover().ifPresent(s -> store.clearSwitchover());
        }
    }

    /**
     * Takes the key back as the leader that stopped cleanly while leading, then starts its PostgreSQL as the
     * primary it was: the same timeline, so no history entry (nothing was promoted).
     */
    void resume(LocalNode.Status status) {
        OptionalLong epoch = store.takeLeader(name, session.get());
        if (epoch.isEmpty()) {
            log.info("{}: another member took the leader key first", name);
            return;
        }
        log.info("{}: took the leader key back (epoch {}) as the leader that stopped cleanly", name, epoch.getAsLong());
        if (configured.settings().synchronousMode()) {
            synchronous.claim();
        }
        if (!status.running()) {
            local.start(configured.parameters());
        }
    }

    /** Promotes the standby that holds the key of {@code epoch} (taken at {@code elected}) and records it. */
    void promote(ClusterState cluster, long epoch, long elected) {
        if (configured.settings().synchronousMode()) {
            synchronous.claim();
        }
        local.promote();
        long promoted = System.currentTimeMillis();
        record(cluster.switchover().isPresent() ? "switchover" : "failover", cluster, epoch, elected, promoted);
        cluster.switchover().ifPresent(s -> store.clearSwitchover());
    }

    /**
     * Appends the promotion and its measured timeline to the DCS history, with the leader key's epoch: the
     * proxies add their own timeline to the entry of that epoch (a member promoted twice has two entries).
     */
    private void record(String reason, ClusterState cluster, long epoch, long elected, long promoted) {
        long firstWrite = -1;
        try {
            local.firstWrite();
            firstWrite = System.currentTimeMillis();
        } catch (SQLException e) {
            log.warn("{}: the first write after promotion failed: {}", name, e.getMessage());
        }
        LocalNode.Status after = local.inspect();
        HistoryEntry event = PromotionEntry.of(name, sightings.previousLeader(), reason, after.timeline(), after.position(),
                epoch, sightings.lastSeenMillis(), sightings.goneMillis(), elected, promoted, firstWrite);
        try {
            store.appendHistory(event);
        } catch (ConflictException e) {
            log.warn("{}: promoted ({}), but could not record it in the history: {}", name, reason, e.getMessage());
            return;
        }
        log.info("{}: promoted ({}): {}", name, reason, ClusterJson.write(event));
    }
}
