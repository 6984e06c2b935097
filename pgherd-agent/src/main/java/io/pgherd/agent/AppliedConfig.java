package io.pgherd.agent;

import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.Durations;
import io.pgherd.postgres.PostgresException;

/**
 * What one member runs with of the cluster's {@link DynamicConfig}: the timings (the DCS's where
 * set and valid together with the file's, the file's elsewhere), the PostgreSQL parameters to
 * write into the managed configuration file, and what its PostgreSQL says still needs a restart.
 * A document in the DCS that is not valid changes nothing (the last valid one stays, with a
 * warning). Used by the agent's loop thread only; {@link #timings()} and {@link #pendingRestart()}
 * may be read from any thread.
 */
final class AppliedConfig {
    private static final Logger log = LoggerFactory.getLogger(AppliedConfig.class);

    private final String member;
    private final DynamicConfig.Timings file;
    private volatile DynamicConfig.Timings timings;
    private volatile List<String> pendingRestart = List.of();
    private Map<String, String> parameters = Map.of();
    /** What was last written and reloaded; null until the first time. */
    private Map<String, String> written;
    private JsonNode document;
    private List<String> errors = List.of();

    AppliedConfig(String member, DynamicConfig.Timings file) {
        this.member = member;
        this.file = file;
        this.timings = file;
    }

    /** The timings the agent runs with now. */
    DynamicConfig.Timings timings() {
        return timings;
    }

    /** The parameters every start, clone and reload writes. */
    Map<String, String> parameters() {
        return parameters;
    }

    /** Parameters the running PostgreSQL has a new value of that applies only after a restart (sorted; empty: none). */
    List<String> pendingRestart() {
        return pendingRestart;
    }

    /** Takes a document read from the DCS ({@code {}} when none); one that is not valid changes nothing (a warning, once). */
    void adopt(JsonNode next) {
        if (next.equals(document)) {
            return;
        }
        document = next;
        DynamicConfig config;
        try {
            config = DynamicConfig.parse(next);
        } catch (ConfigException e) {
            log.warn("{}: the dynamic configuration in the DCS is not valid; running with the last valid one: {}", member,
                    e.getMessage());
            return;
        }
        parameters = config.parameters();
        DynamicConfig.Timings wanted = config.over(file);
        if (wanted.equals(timings)) {
            return;
        }
        if (wanted.ruleProblem().isPresent()) {
            log.warn("{}: the timings of the dynamic configuration with this agent's file break the timing rule; keeping ttl {},"
                    + " loop_wait {}, retry_timeout {}: {}", member, Durations.format(timings.ttl()),
                    Durations.format(timings.loopWait()), Durations.format(timings.retryTimeout()), wanted.ruleProblem().get());
            return;
        }
        log.info("{}: timings now ttl {}, loop_wait {}, retry_timeout {}, maximum_lag_on_failover {} bytes{}", member,
                Durations.format(wanted.ttl()), Durations.format(wanted.loopWait()), Durations.format(wanted.retryTimeout()),
                wanted.maximumLagOnFailover(), wanted.retryTimeout().equals(file.retryTimeout()) ? ""
                        : " (retry_timeout counts in the timing rule; this agent's DCS client keeps the "
                        + Durations.format(file.retryTimeout()) + " it connected with)");
        timings = wanted;
    }

    /**
     * Brings a running PostgreSQL in line: writes the managed file and reloads when the parameters
     * differ from what was last written (or {@code force}), then reads which parameters need a
     * restart. A stopped server gets the parameters when it starts; nothing to do here.
     *
     * @throws IllegalStateException when the server could not be reached (its cause says why)
     * @throws PostgresException or {@link UncheckedIOException} when the file could not be written
     */
    void apply(LocalNode local, boolean running, boolean force) {
        if (!running) {
            pendingRestart = List.of();
            return;
        }
        try {
            if (force || !parameters.equals(written)) {
                local.reconfigure(parameters);
                if (written != null || !parameters.isEmpty()) {
                    log.info("{}: wrote {} parameter(s) of the dynamic configuration and reloaded PostgreSQL: {}", member,
                            parameters.size(), parameters);
                }
                written = parameters;
            }
            LocalNode.Settings settings = local.settings();
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
