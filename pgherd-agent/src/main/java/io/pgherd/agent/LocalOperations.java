package io.pgherd.agent;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.agent.api.Operations.Outcome;
import io.pgherd.agent.api.Operations;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.PostgresException;

/**
 * Restart, reload and reinitialize of the member's PostgreSQL, asked through the REST API
 * ({@link #api()}) and carried out by the agent's loop thread between two cycles
 * ({@link #runPending()}), so they never run beside an HA action. The caller blocks until the
 * outcome, as Patroni's API does:
 * <ul>
 *   <li>restart: stop and start with the dynamic configuration's parameters; a leader keeps its key
 *       (the session is renewed in the background), and one whose PostgreSQL does not come back is
 *       then handled as after a crash: restart attempts, then the key released;</li>
 *   <li>reload: the dynamic configuration read from the DCS now, written, PostgreSQL reloaded;</li>
 *   <li>reinitialize: only on a member that does not lead, while a leader runs as a primary; the
 *       re-clone runs on a thread of its own, so the loop goes on publishing the member (as stopped)
 *       and answering liveness checks, but leaves PostgreSQL alone until it ends
 *       ({@link #reinitializing}).</li>
 * </ul>
 * Thread-safe.
 */
final class LocalOperations {
    private static final Logger log = LoggerFactory.getLogger(LocalOperations.class);

    /** A re-clone running beside the loop: the leader it copies, since when, and the thread doing it. */
    private record Reinitialization(String from, long startedMillis, Thread thread) {
    }

    private final String name;
    private final LocalNode local;
    private final ClusterStore store;
    private final AppliedConfig applied;
    private final Duration startTimeout;
    private final Runnable wakeLoop;
    private final LoopRequests requests = new LoopRequests();
    private volatile Reinitialization reinitialization;

    LocalOperations(String name, LocalNode local, ClusterStore store, AppliedConfig applied, Duration startTimeout,
                    Runnable wakeLoop) {
        this.name = name;
        this.local = local;
        this.store = store;
        this.applied = applied;
        this.startTimeout = startTimeout;
        this.wakeLoop = wakeLoop;
    }

    /** The operations for the REST API; each blocks its caller. */
    Operations api() {
        return new Operations(this::restart, this::reload, this::reinitialize);
    }

    /** Runs what the API asked for; on the loop thread only. */
    void runPending() {
        requests.runPending();
    }

    /** The cycle's sentence while a re-clone runs; empty when none does. */
    Optional<String> reinitializing(long nowMillis) {
        Reinitialization r = reinitialization;
        return r == null ? Optional.empty() : Optional.of("reinitializing: cloning the data directory again from " + r.from()
                + " (for " + Math.max(0, nowMillis - r.startedMillis()) / 1000 + " s)");
    }

    /** Refuses every request from now on (the agent stops). */
    void refuseNew() {
        requests.close();
    }

    /** Waits up to {@code timeout} for a running re-clone to end (before the agent stops PostgreSQL). */
    void awaitReinitialization(Duration timeout) {
        Reinitialization r = reinitialization;
        if (r != null) {
            try {
                r.thread().join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Outcome restart(boolean onlyIfPending) {
        Duration limit = startTimeout.multipliedBy(2).plus(applied.timings().loopWait()).plusSeconds(10);
        return requests.submit("restart", () -> restartNow(onlyIfPending), limit, wakeLoop);
    }

    private Outcome reload() {
        return requests.submit("reload", this::reloadNow, applied.timings().loopWait().plusSeconds(30), wakeLoop);
    }

    private Outcome reinitialize() {
        if (reinitialization != null) {
            return Outcome.refused("reinitialize already in progress");
        }
        return requests.submit("reinitialize", this::reinitializeNow, applied.timings().loopWait().plusSeconds(30), wakeLoop);
    }

    private Outcome restartNow(boolean onlyIfPending) {
        if (reinitialization != null) {
            return Outcome.refused("reinitialize in progress; restart refused");
        }
        if (!local.dataDirectory().exists()) {
            return Outcome.refused("there is no data directory to restart yet");
        }
        List<String> pending = applied.pendingRestart();
        if (onlyIfPending && pending.isEmpty()) {
            return Outcome.refused("restart conditions are not satisfied: no restart is pending");
        }
        try {
            local.restart(applied.parameters());
        } catch (PostgresException e) {
            log.warn("{}: restart on request failed: {}", name, e.getMessage());
            return Outcome.refused("restart failed: " + e.getMessage());
        }
        applied.restarted();
        log.info("{}: restarted PostgreSQL on request{}", name, pending.isEmpty() ? ""
                : " (pending restart for " + String.join(", ", pending) + ")");
        return Outcome.done("restarted successfully");
    }

    private Outcome reloadNow() {
        if (reinitialization != null) {
            return Outcome.refused("reinitialize in progress; reload refused");
        }
        ObjectNode document;
        try {
            document = store.readConfig().document();
        } catch (DcsException e) {
            return Outcome.refused("the DCS did not answer: " + e.getMessage());
        }
        List<ConfigProblem> problems = applied.adopt(document);
        if (!problems.isEmpty()) {
            return Outcome.refused("the dynamic configuration in the DCS is not valid, so nothing was reloaded: " + problems);
        }
        Map<String, String> parameters = applied.parameters();
        if (!local.dataDirectory().exists()) {
            return Outcome.refused("there is no data directory yet; its first start writes the configuration");
        }
        try {
            if (!local.inspect().running()) {
                local.writeConfiguration(parameters);
                return Outcome.done("configuration written (" + parameters.size() + " parameter(s) from the DCS);"
                        + " PostgreSQL is not running and reads it when it starts");
            }
            applied.apply(local, true, true, System.currentTimeMillis());
        } catch (IllegalStateException | PostgresException | UncheckedIOException e) {
            return Outcome.refused("reload failed: " + e.getMessage());
        }
        log.info("{}: reloaded the configuration on request", name);
        return Outcome.done("reloaded configuration (" + parameters.size() + " parameter(s) from the DCS)");
    }

    private Outcome reinitializeNow() {
        if (reinitialization != null) {
            return Outcome.refused("reinitialize already in progress");
        }
        ClusterState cluster;
        try {
            cluster = ClusterState.of(store.read());
        } catch (DcsException e) {
            return Outcome.refused("the DCS did not answer: " + e.getMessage());
        }
        if (cluster.ledBy(name)) {
            return Outcome.refused("I am the leader, can not reinitialize");
        }
        if (cluster.leader().isEmpty()) {
            return Outcome.refused("the cluster has no leader, can not reinitialize");
        }
        String leader = cluster.leader().get().member();
        Member record = cluster.members().get(leader);
        if (record == null || !record.running() || record.inRecovery()) {
            return Outcome.refused("the leader " + leader + " does not run as a primary now, can not reinitialize from it");
        }
        HostPort address = new HostPort(record.host(), record.port());
        Map<String, String> parameters = applied.parameters();
        Thread worker = new Thread(() -> reclone(leader, address, parameters), "pgherd-reinitialize-" + name);
        reinitialization = new Reinitialization(leader, System.currentTimeMillis(), worker);
        applied.forget();
        worker.start();
        log.info("{}: reinitializing on request: cloning the data directory again from {}", name, leader);
        return Outcome.done("reinitialize started (cloning again from " + leader + ")");
    }

    /** The re-clone, on its own thread; the loop's cycles leave PostgreSQL alone until it ends. */
    private void reclone(String leader, HostPort address, Map<String, String> parameters) {
        try {
            local.reclone(leader, address, parameters);
            log.info("{}: reinitialized from {}", name, leader);
        } catch (RuntimeException e) {
            log.warn("{}: reinitialize from {} failed: {}; the next cycles clone the node again when they find no data"
                    + " directory", name, leader, e.getMessage());
        } finally {
            reinitialization = null;
            wakeLoop.run();
        }
    }
}
