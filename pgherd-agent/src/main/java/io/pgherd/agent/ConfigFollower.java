package io.pgherd.agent;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.HaSettings;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.DynamicConfig;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.PostgresException;

/**
 * The agent's side of the cluster's dynamic configuration, once a cycle ({@link #configure}): it takes the
 * document the DCS holds into {@link AppliedConfig}, updates the {@link HaSettings} the rules decide with
 * (maximum lag on failover, synchronous mode), brings the running PostgreSQL in line, and shares the parameter
 * catalogue through the DCS (a stopped member reads the catalogue there; a running one publishes its server's
 * once). A failure is logged and leaves what it could not change as it was; the next cycle tries again. Not
 * thread-safe: the agent's loop thread only.
 */
final class ConfigFollower {
    private static final Logger log = LoggerFactory.getLogger(ConfigFollower.class);

    private final String name;
    private final boolean synchronousModeInFile;
    private final ClusterStore store;
    private final LocalNode local;
    private final AppliedConfig applied;
    private HaSettings settings;
    /** The dynamic configuration's PostgreSQL parameters, as of the last cycle that read the DCS. */
    private Map<String, String> parameters = Map.of();

    /** @param settings the settings of the agent's file, which the dynamic configuration may change */
    ConfigFollower(HaSettings settings, ClusterStore store, LocalNode local, AppliedConfig applied) {
        this.name = settings.name();
        this.synchronousModeInFile = settings.synchronousMode();
        this.settings = settings;
        this.store = store;
        this.local = local;
        this.applied = applied;
    }

    /** The settings the HA rules decide with, as of the last {@link #configure}. */
    HaSettings settings() {
        return settings;
    }

    /** The PostgreSQL parameters every start, clone and reload of this cycle writes. */
    Map<String, String> parameters() {
        return parameters;
    }

    /** Takes this cycle's dynamic configuration and brings the running PostgreSQL in line with it. */
    void configure(ClusterSnapshot snapshot, boolean reachable, LocalNode.Status status) {
        if (reachable && snapshot != null) {
            DynamicConfig.Timings before = applied.timings();
            applied.adopt(snapshot.config().document());
            parameters = applied.parameters();
            long lag = applied.timings().maximumLagOnFailover();
            boolean synchronousMode = applied.synchronousMode().orElse(synchronousModeInFile);
            if (lag != before.maximumLagOnFailover() || synchronousMode != settings.synchronousMode()) {
                if (synchronousMode != settings.synchronousMode()) {
                    log.info("{}: synchronous mode now {}", name, synchronousMode ? "on" : "off");
                }
                settings = new HaSettings(settings.name(), settings.noFailover(), settings.failoverPriority(), lag,
                        synchronousMode, settings.maxStartAttempts(), settings.stuckLimitMillis(),
                        settings.leaderReturnMillis());
            }
        }
        try {
            if (reachable && !status.running() && applied.catalogue().isEmpty()) {
                store.readCatalogue().ifPresent(applied::catalogue);
            }
            applied.apply(local, status.running(), false, System.currentTimeMillis());
            parameters = applied.parameters();
            if (reachable) {
                publishCatalogue();
            }
        } catch (IllegalStateException | PostgresException | UncheckedIOException e) {
            log.warn("{}: could not apply the dynamic configuration: {}", name, e.getMessage());
        } catch (DcsException e) {
            log.warn("{}: could not read or write the parameter catalogue in the DCS: {}", name, e.getMessage());
        }
    }

    /** Writes the local server's parameter catalogue into the DCS once per agent, if the DCS holds another. */
    private void publishCatalogue() {
        Optional<ParameterCatalogue> mine = applied.catalogueToPublish();
        if (mine.isPresent()) {
            if (!store.readCatalogue().equals(mine)) {
                store.publishCatalogue(mine.get());
                log.info("{}: published the parameters of PostgreSQL {} for checking changes of the configuration", name,
                        mine.get().serverVersion());
            }
            applied.cataloguePublished();
        }
    }
}
