package io.pgherd.controller;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Task;
import io.pgherd.controller.election.Election;
import io.pgherd.controller.election.ElectionDecision;
import io.pgherd.controller.metrics.ControllerStatus;
import io.pgherd.controller.task.TaskPruning;
import io.pgherd.controller.task.TaskRunner;
import io.pgherd.controller.task.TaskType;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.Watch;
import io.pgherd.dcs.WatchEvent;

/**
 * The controller's loop (DESIGN.md §1, §5): every cycle it runs the election and, while it acts, asks each
 * {@link Reconciler} for a task to create, advances every task by one decision and deletes the finished tasks
 * beyond the newest {@code keepTasks} ({@link TaskPruning}; those a reconciler still reads are kept). A cycle that
 * changed a task is followed by the next at once; otherwise the loop waits {@code loopWait}, or less: it watches the
 * cluster's keys and runs a cycle as soon as the {@code controller} key is deleted (the acting controller's session
 * ended), so a standby takes over when the lease expires, not up to {@code loopWait} later. Any exception of a cycle
 * is logged and the loop goes on. One thread runs {@link #run()}; {@link #close()} from any thread stops it and gives
 * the lease up; {@link #status()} from any thread tells what the last cycle saw.
 */
public final class Controller implements AutoCloseable {

    /** {@code controller.keep_tasks}'s default. */
    public static final int KEEP_TASKS = 100;
    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    private static final String STOP = "stop";

    private final ClusterStore cluster;
    private final ControllerStore store;
    private final Election election;
    private final TaskRunner runner;
    private final List<Reconciler> reconcilers;
    private final Duration loopWait;
    private final int keepTasks;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final BlockingQueue<String> wakeUps = new LinkedBlockingQueue<>();
    private volatile ControllerStatus status;
    private Watch watch;
    private volatile boolean watchEnded;
    private long actingSince;
    private long pruned;

    /** A controller that keeps the newest {@value #KEEP_TASKS} finished tasks. */
    public Controller(Dcs dcs, String clusterName, String name, Duration ttl, Duration loopWait, List<TaskType> types,
                      List<Reconciler> reconcilers, Clock clock) {
        this(dcs, clusterName, name, ttl, loopWait, KEEP_TASKS, types, reconcilers, clock);
    }

    /**
     * @param ttl         the cluster's TTL: the lease outlives this controller by at most this
     * @param loopWait    the longest pause between cycles that changed nothing
     * @param keepTasks   how many finished tasks to keep in the DCS (older ones are deleted)
     * @param types       the task types this controller carries out
     * @param reconcilers the desired states it keeps (none yet: it only carries out tasks)
     */
    public Controller(Dcs dcs, String clusterName, String name, Duration ttl, Duration loopWait, int keepTasks,
                      List<TaskType> types, List<Reconciler> reconcilers, Clock clock) {
        this.cluster = new ClusterStore(dcs, clusterName);
        this.store = new ControllerStore(cluster);
        this.election = new Election(dcs, store, name, ttl);
        this.runner = new TaskRunner(cluster, store, types, name, clock);
        this.reconcilers = List.copyOf(reconcilers);
        this.loopWait = loopWait;
        this.keepTasks = keepTasks;
        this.clock = clock;
        this.status = ControllerStatus.starting(name, clusterName);
    }

    /** The fence while this controller acts (as of its last cycle). */
    public Optional<Fence> fence() {
        return election.fence();
    }

    public TaskRunner tasks() {
        return runner;
    }

    /** What the last cycle saw (for the metrics). Thread-safe. */
    public ControllerStatus status() {
        return status;
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
            actingSince = 0;
            status = new ControllerStatus(election.name(), cluster.keys().cluster(), false, election.lastEpoch(), 0,
                    clock.millis(), Optional.empty(), new TreeMap<>(), runner.outcomes(), pruned);
            return false;
        }
        if (actingSince == 0) {
            actingSince = clock.millis();
        }
        boolean changed = false;
        ClusterSnapshot snapshot = cluster.read();
        for (Reconciler reconciler : reconcilers) {
            Optional<TaskRequest> request = reconciler.reconcile(snapshot, clock.millis());
            if (request.isPresent()) {
                log.info("controller {}: {}", election.name(), request.get().sentence());
                changed |= runner.create(request.get().type(), request.get().parameters(), fence.get()).isPresent();
            }
        }
        changed |= runner.advance(fence.get()) > 0;
        prune(snapshot, fence.get());
        status = new ControllerStatus(election.name(), cluster.keys().cluster(), true, OptionalLong.of(fence.get().epoch()),
                actingSince, clock.millis(), Optional.of(ControllerStatus.Replicas.of(snapshot)),
                ControllerStatus.count(snapshot.tasks()), runner.outcomes(), pruned);
        return changed;
    }

    /** Deletes the finished tasks beyond the newest {@code keepTasks} that no reconciler reads, fenced. */
    private void prune(ClusterSnapshot snapshot, Fence fence) {
        if (snapshot.tasks().values().stream().filter(Task::finished).count() <= keepTasks) {
            return;
        }
        Set<String> retained = new HashSet<>();
        reconcilers.forEach(r -> retained.addAll(r.retainedTasks(snapshot, clock.millis())));
        List<String> ids = TaskPruning.toDelete(snapshot.tasks().values(), keepTasks, retained);
        int deleted = 0;
        for (String id : ids) {
            Optional<ControllerStore.TaskEntry> read = store.task(id).filter(e -> e.task().finished());
            if (read.isPresent() && store.delete(read.get(), fence)) {
                deleted++;
            }
        }
        pruned += deleted;
        if (deleted > 0) {
            log.info("controller {}: deleted {} finished task{} beyond the newest {} (controller.keep_tasks)", election.name(),
                    deleted, deleted == 1 ? "" : "s", keepTasks);
        }
    }

    /** Runs cycles until {@link #close()}. */
    public void run() {
        try {
            while (stopped.getCount() > 0) {
                boolean changed = false;
                try {
                    watchLease();
                    changed = cycle();
                } catch (RuntimeException e) {
                    log.warn("controller {}: cycle failed, trying again in {} ms: {}", election.name(), loopWait.toMillis(),
                            e.getMessage());
                }
                if (!changed && STOP.equals(wakeUps.poll(loopWait.toMillis(), TimeUnit.MILLISECONDS))) {
                    break;
                }
                wakeUps.remove("lease");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (watch != null) {
                watch.close();
            }
            election.close();
        }
    }

    /**
     * Opens the watch of the cluster's keys unless it runs: the deletion of the {@code controller} key wakes the loop.
     * Without it (the DCS does not answer) the loop still runs every {@code loopWait}.
     */
    private void watchLease() {
        if (watch != null && !watchEnded) {
            return;
        }
        if (watch != null) {
            watch.close();
            watch = null;
        }
        String lease = cluster.keys().controller();
        try {
            watchEnded = false;
            watch = cluster.dcs().watch(cluster.keys().prefix(), event -> {
                if (event instanceof WatchEvent.Delete d && d.key().equals(lease)) {
                    wakeUps.offer("lease");
                } else if (event instanceof WatchEvent.Ended) {
                    watchEnded = true;
                }
            });
        } catch (DcsException e) {
            log.debug("controller {}: cannot watch the controller key yet: {}", election.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        stopped.countDown();
        wakeUps.offer(STOP);
    }
}
