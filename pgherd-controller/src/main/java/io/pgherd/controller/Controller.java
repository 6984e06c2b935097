package io.pgherd.controller;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.controller.election.Election;
import io.pgherd.controller.election.ElectionDecision;
import io.pgherd.controller.task.TaskRunner;
import io.pgherd.controller.task.TaskType;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Fence;

/**
 * The controller's loop (DESIGN.md §1, §5): every cycle it runs the election and, while it acts, asks each
 * {@link Reconciler} for a task to create and advances every task by one decision. A cycle that changed a
 * task is followed by the next at once; otherwise the loop waits {@code loopWait}. Any exception of a
 * cycle is logged and the loop goes on. One thread runs {@link #run()}; {@link #close()} from any thread
 * stops it and gives the lease up.
 */
public final class Controller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final ClusterStore cluster;
    private final Election election;
    private final TaskRunner runner;
    private final List<Reconciler> reconcilers;
    private final Duration loopWait;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * @param ttl         the cluster's TTL: the lease outlives this controller by at most this
     * @param loopWait    the pause between cycles that changed nothing
     * @param types       the task types this controller carries out
     * @param reconcilers the desired states it keeps (none yet: it only carries out tasks)
     */
    public Controller(Dcs dcs, String clusterName, String name, Duration ttl, Duration loopWait, List<TaskType> types,
                      List<Reconciler> reconcilers, Clock clock) {
        this.cluster = new ClusterStore(dcs, clusterName);
        ControllerStore store = new ControllerStore(cluster);
        this.election = new Election(dcs, store, name, ttl);
        this.runner = new TaskRunner(cluster, store, types, name, clock);
        this.reconcilers = List.copyOf(reconcilers);
        this.loopWait = loopWait;
        this.clock = clock;
    }

    /** The fence while this controller acts (as of its last cycle). */
    public Optional<Fence> fence() {
        return election.fence();
    }

    public TaskRunner tasks() {
        return runner;
    }

    /**
     * Runs one cycle.
     *
     * @return whether a task was created or changed
     */
    public boolean cycle() {
        ElectionDecision decision = election.cycle();
        Optional<Fence> fence = election.fence();
        if (decision.action() != ElectionDecision.Action.ACT && decision.action() != ElectionDecision.Action.ACQUIRE
                || fence.isEmpty()) {
            return false;
        }
        boolean changed = false;
        if (!reconcilers.isEmpty()) {
            var snapshot = cluster.read();
            for (Reconciler reconciler : reconcilers) {
                Optional<TaskRequest> request = reconciler.reconcile(snapshot, clock.millis());
                if (request.isPresent()) {
                    log.info("controller {}: {}", election.name(), request.get().sentence());
                    changed |= runner.create(request.get().type(), request.get().parameters(), fence.get()).isPresent();
                }
            }
        }
        return runner.advance(fence.get()) > 0 || changed;
    }

    /** Runs cycles until {@link #close()}. */
    public void run() {
        try {
            while (stopped.getCount() > 0) {
                boolean changed = false;
                try {
                    changed = cycle();
                } catch (RuntimeException e) {
                    log.warn("controller {}: cycle failed, trying again in {} ms: {}", election.name(), loopWait.toMillis(),
                            e.getMessage());
                }
                if (!changed && stopped.await(loopWait.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            election.close();
        }
    }

    @Override
    public void close() {
        stopped.countDown();
    }
}
