package io.pgherd.agent;

import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.Durations;
import io.pgherd.postgres.PostgresException;

/**
 * What one member runs with of the cluster's {@link DynamicConfig}: the timings (the DCS's where
 * set and valid together with the file's, the file's elsewhere), the PostgreSQL parameters to
 * write into the managed configuration file, and what its PostgreSQL says still needs a restart.
 * A document in the DCS that is not valid changes nothing (the last valid one stays, with a
 * warning); top-level keys this version does not know are ignored (a newer agent's). Parameters
 * PostgreSQL would refuse are never written (see {@link ParameterScreen}): they are checked against
 * the server's catalogue, and the written file by the server itself before each reload; they are
 * reported in {@link #rejected()}. Used by the agent's loop thread only; {@link #timings()} and {@link #pendingRestart()}
 * may be read from any thread.
 */
final class AppliedConfig {
    private static final Logger log = LoggerFactory.getLogger(AppliedConfig.class);
    static final long SETTLE_MILLIS = 10_000;
    static final long RECHECK_MILLIS = 30_000;

    private final String member;
    private final DynamicConfig.Timings file;
    private volatile DynamicConfig.Timings timings;
    private volatile List<String> pendingRestart = List.of();
    private Map<String, String> parameters = Map.of();
    /** The parameters of the dynamic configuration, before {@link ParameterScreen#screen}. */
    private Map<String, String> wanted = Map.of();
    private volatile Optional<ParameterCatalogue> catalogue = Optional.empty();
    private boolean catalogueFromServer;
    private boolean cataloguePublished;
    private final Map<String, ParameterScreen.Refused> refused = new HashMap<>();
    private volatile SortedMap<String, String> rejected = Collections.emptySortedMap();
    private volatile Optional<Boolean> synchronousMode = Optional.empty();
    /** What was last written and reloaded; null until the first time. */
    private Map<String, String> written;
    private JsonNode document;
    private List<ConfigProblem> problems = List.of();
    private List<String> errors = List.of();
    private long settleUntilMillis;
    private long checkedMillis;

    AppliedConfig(String member, DynamicConfig.Timings file) {
        this.member = member;
        this.file = file;
        this.timings = file;
    }

    /** The timings the agent runs with now. */
    DynamicConfig.Timings timings() {
        return timings;
    }

    /** Synchronous mode as the dynamic configuration sets it (empty: as the agent's file says). */
    Optional<Boolean> synchronousMode() {
        return synchronousMode;
    }

    /** The parameters every start, clone and reload writes. */
    Map<String, String> parameters() {
        return parameters;
    }

    /**
     * Parameters of the dynamic configuration not written because PostgreSQL refuses them (unknown name,
     * invalid value), with the reason, by name; empty when none.
     */
    SortedMap<String, String> rejected() {
        return rejected;
    }

    /** The parameter catalogue known here: the local server's, else one read from the DCS; empty before either. */
    Optional<ParameterCatalogue> catalogue() {
        return catalogue;
    }

    /** A catalogue read from the DCS, used until the local server describes itself. */
    void catalogue(ParameterCatalogue fromDcs) {
        if (!catalogueFromServer) {
            catalogue = Optional.of(fromDcs);
            screen();
        }
    }

    /** The local server's catalogue, once, until {@link #cataloguePublished()}: for the DCS key {@code parameters}. */
    Optional<ParameterCatalogue> catalogueToPublish() {
        return catalogueFromServer && !cataloguePublished ? catalogue : Optional.empty();
    }

    void cataloguePublished() {
        cataloguePublished = true;
    }

    /** Parameters the running PostgreSQL has a new value of that applies only after a restart (sorted; empty: none). */
    List<String> pendingRestart() {
        return pendingRestart;
    }

    /**
     * Takes a document read from the DCS ({@code {}} when none). One that is not valid changes
     * nothing (a warning, once); top-level keys this version does not know are ignored.
     *
     * @return the document's problems; empty when it was taken
     */
    List<ConfigProblem> adopt(JsonNode next) {
        if (next.equals(document)) {
            return problems;
        }
        document = next;
        DynamicConfig config;
        try {
            config = DynamicConfig.parse(known(next));
            problems = List.of();
        } catch (ConfigException e) {
            log.warn("{}: the dynamic configuration in the DCS is not valid; running with the last valid one: {}", member,
                    e.getMessage());
            problems = e.problems();
            return problems;
        }
        wanted = config.parameters();
        screen();
        synchronousMode = config.synchronousMode();
        DynamicConfig.Timings wanted = config.over(file);
        if (wanted.equals(timings)) {
            return problems;
        }
        if (wanted.ruleProblem().isPresent()) {
            log.warn("{}: the timings of the dynamic configuration with this agent's file break the timing rule; keeping ttl {},"
                    + " loop_wait {}, retry_timeout {}: {}", member, Durations.format(timings.ttl()),
                    Durations.format(timings.loopWait()), Durations.format(timings.retryTimeout()), wanted.ruleProblem().get());
            return problems;
        }
        log.info("{}: timings now ttl {}, loop_wait {}, retry_timeout {}, maximum_lag_on_failover {} bytes{}", member,
                Durations.format(wanted.ttl()), Durations.format(wanted.loopWait()), Durations.format(wanted.retryTimeout()),
                wanted.maximumLagOnFailover(), wanted.retryTimeout().equals(file.retryTimeout()) ? ""
                        : " (retry_timeout counts in the timing rule; this agent's DCS client keeps the "
                        + Durations.format(file.retryTimeout()) + " it connected with)");
        timings = wanted;
        return problems;
    }

    /** Recomputes what is written from what the configuration wants, leaving out what PostgreSQL refuses. */
    private void screen() {
        refused.keySet().retainAll(wanted.keySet());
        ParameterScreen.Screened screened = ParameterScreen.screen(wanted, catalogue, refused, written);
        if (!screened.rejected().equals(rejected) && !screened.rejected().isEmpty()) {
            log.warn("{}: not writing parameters of the dynamic configuration that PostgreSQL refuses: {}", member,
                    screened.rejected());
        }
        parameters = screened.parameters();
        rejected = Collections.unmodifiableSortedMap(screened.rejected());
    }

    /**
     * The document without top-level keys this version does not know, which are ignored with a
     * warning (a newer agent may have written them); every key it knows must still be valid.
     */
    private JsonNode known(JsonNode next) {
        if (!next.isObject()) {
            return next;
        }
        ObjectNode copy = ((ObjectNode) next).deepCopy();
        List<String> unknown = new ArrayList<>();
        next.fieldNames().forEachRemaining(name -> {
            if (!DynamicConfig.KEYS.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            copy.remove(unknown);
            log.warn("{}: ignoring keys of the dynamic configuration this version does not know: {}", member,
                    String.join(", ", unknown));
        }
        return copy;
    }

    /**
     * Brings a running PostgreSQL in line: writes the managed file, has the server check it (leaving
     * out what it refuses) and reloads when the parameters differ from what was last written (or
     * {@code force}), then reads which parameters need a
     * restart: every cycle for {@value #SETTLE_MILLIS} ms after a reload (PostgreSQL reloads
     * asynchronously), otherwise every {@value #RECHECK_MILLIS} ms (a change made outside pgherd),
     * which spares a connection per cycle. A stopped server gets the parameters when it starts.
     *
     * @throws IllegalStateException when the server could not be reached (its cause says why)
     * @throws PostgresException or {@link UncheckedIOException} when the file could not be written
     */
    void apply(LocalNode local, boolean running, boolean force, long nowMillis) {
        if (!running) {
            pendingRestart = List.of();
            checkedMillis = 0;
            return;
        }
        try {
            if (!catalogueFromServer) {
                catalogue = Optional.of(local.configuration().catalogue());
                catalogueFromServer = true;
                screen();
            }
            if (force || !parameters.equals(written)) {
                writeChecked(local);
                local.configuration().reloadConfiguration();
                if (written != null || !parameters.isEmpty()) {
                    log.info("{}: wrote {} parameter(s) of the dynamic configuration and reloaded PostgreSQL: {}", member,
                            parameters.size(), parameters);
                }
                written = parameters;
                settleUntilMillis = nowMillis + SETTLE_MILLIS;
            }
            if (nowMillis > settleUntilMillis && nowMillis - checkedMillis < RECHECK_MILLIS) {
                return;
            }
            ServerConfiguration.Settings settings = local.configuration().settings();
            checkedMillis = nowMillis;
            if (!settings.pendingRestart().equals(pendingRestart)) {
                log.info("{}: {}", member, settings.pendingRestart().isEmpty() ? "no restart pending"
                        : "pending restart for " + String.join(", ", settings.pendingRestart()));
            }
            pendingRestart = settings.pendingRestart();
            if (!settings.errors().equals(errors) && !settings.errors().isEmpty()) {
                log.warn("{}: PostgreSQL refused settings of the dynamic configuration: {}", member,
                        String.join("; ", settings.errors()));
            }
            errors = settings.errors();
        } catch (SQLException e) {
            throw new IllegalStateException("could not reload or read the settings of PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the managed file and has the running server check it before any reload: a parameter it
     * refuses is left out (its last good value kept) and the file written again, until it finds no fault.
     * Each round leaves out at least one parameter, so it ends.
     */
    private void writeChecked(LocalNode local) throws SQLException {
        for (int round = 0; round <= wanted.size(); round++) {
            local.writeConfiguration(parameters);
            Map<String, String> refusals = ParameterScreen.refusals(local.configuration().fileErrors(), catalogue, parameters.keySet());
            if (refusals.isEmpty()) {
                return;
            }
            refusals.forEach((name, why) -> {
                String value = parameters.get(name);
                refused.put(name, new ParameterScreen.Refused(value, local.configuration().refusal(name, value).orElse(why)));
            });
            screen();
        }
    }

    /** After a restart: the server runs with what was written. */
    void restarted() {
        written = parameters;
        pendingRestart = List.of();
    }

    /** After the data directory was replaced: nothing is known about what it holds. */
    void forget() {
        written = null;
        pendingRestart = List.of();
    }

    @Override
    public String toString() {
        return "AppliedConfig[" + member + " " + timings + ", " + parameters.size() + " parameters, pending restart "
                + Objects.toString(pendingRestart) + "]";
    }
}
