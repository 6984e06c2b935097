package io.pgherd.controller.task;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ControllerStore.TaskEntry;
import io.pgherd.cluster.Task;
import io.pgherd.cluster.Task.State;
import io.pgherd.controller.metrics.ControllerStatus.TypeState;
import io.pgherd.dcs.Fence;

/**
 * The acting part of the task engine: each {@link #advance(Fence)} asks {@link TaskRules} about every task
 * and carries out one decision per task. Every change of a task is a compare-and-set fenced by the acting
 * controller's epoch, recording the owner and its epoch, step start and finish times, progress, and any
 * error with its cause; a write that is refused (the task changed, or this controller was deposed) ends
 * the task's turn, and the next call reads it again. Steps run on the calling thread. Not thread-safe:
 * one loop calls it.
 */
public final class TaskRunner {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    private final ClusterStore cluster;
    private final ControllerStore store;
    private final List<TaskType> types;
    private final String me;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, String> lastSentence = new HashMap<>();
    private final Map<TypeState, LongAdder> outcomes = new ConcurrentHashMap<>();

    public TaskRunner(ClusterStore cluster, ControllerStore store, List<TaskType> types, String me, Clock clock) {
        this.cluster = cluster;
        this.store = store;
        this.types = List.copyOf(types);
        this.me = me;
        this.clock = clock;
    }

    /**
     * Creates a pending task of {@code type}, owned by this controller's epoch. Its id is the type, the epoch
     * and a sequence number, unique since epochs are.
     *
     * @return the task written; empty if the fence no longer passes (nothing written)
     */
    public Optional<Task> create(TaskType type, Map<String, String> parameters, Fence fence) {
        long now = clock.millis();
        String id = type.name() + "-" + fence.epoch() + "-" + sequence.incrementAndGet();
        Task task = Task.pending(id, type.name(), type.stepNames(), parameters, now).withOwner(me, fence.epoch(), now);
        if (!store.create(task, fence)) {
            return Optional.empty();
        }
        log.info("controller {}: task {}: created ({} steps: {})", me, id, type.steps().size(), String.join(", ", type.stepNames()));
        return Optional.of(task);
    }

    /**
     * Carries out one decision for every task that is not finished.
     *
     * @return how many tasks changed
     */
    public int advance(Fence fence) {
        int changed = 0;
        for (TaskEntry read : store.tasks()) {
            if (read.task().finished()) {
                lastSentence.remove(read.task().id());
                continue;
            }
            Optional<TaskType> type = TaskType.named(types, read.task().type());
            TaskDecision decision = TaskRules.decide(read.task(), fence.epoch(), type);
            report(read.task().id(), decision);
            if (decision.action() != TaskDecision.Action.NONE && act(read, decision, type.orElseThrow(), fence)) {
                changed++;
            }
        }
        return changed;
    }

    private boolean act(TaskEntry read, TaskDecision d, TaskType type, Fence fence) {
        long now = clock.millis();
        Task owned = read.task().withOwner(me, fence.epoch(), now);
        return switch (d.action()) {
            case NONE -> false;
            case RUN, RESUME -> write(read, owned.withState(State.RUNNING, now)
                    .withStep(d.step(), start(owned.steps().get(d.step()), now), now), fence)
                    .map(started -> run(started, type, d.step(), fence)).orElse(false);
            case ROLL_BACK -> write(read, owned.rollingBack(d.sentence(), now), fence)
                    .map(marked -> undo(marked, type, d.step(), fence)).orElse(false);
            case UNDO -> undo(read, type, d.step(), fence);
            case FINISH -> write(read, owned.withState(d.outcome(), now), fence).map(done -> {
                log.info("controller {}: task {}: {}", me, done.task().id(), d.outcome().label());
                finished(done.task());
                return true;
            }).orElse(false);
        };
    }

    /** A step that waits keeps its first start time, so that its own timeout counts from there. */
    private static Task.Step start(Task.Step step, long now) {
        return step.state() == State.RUNNING && step.startedMillis() > 0 ? step : step.started(now);
    }

    private boolean run(TaskEntry started, TaskType type, int step, Fence fence) {
        TaskType.Step work = type.steps().get(step);
        String id = started.task().id();
        Task.Step running = started.task().steps().get(step);
        try {
            work.run().apply(new TaskContext(id, cluster, store, fence, clock, running.startedMillis()));
        } catch (StepNotYetException e) {
            return waiting(id, step, e.getMessage(), fence);
        } catch (Exception e) {
            String why = "step " + (step + 1) + " '" + work.name() + "' failed: " + describe(e);
            log.warn("controller {}: task {}: {}", me, id, why);
            return reread(id).flatMap(now -> write(now, now.task()
                    .withStep(step, now.task().steps().get(step).failed(describe(e), clock.millis()), clock.millis())
                    .rollingBack(why, clock.millis()), fence)).isPresent();
        }
        return reread(id).flatMap(now -> write(now, now.task()
                .withStep(step, now.task().steps().get(step).succeeded(clock.millis()), clock.millis()), fence)).isPresent();
    }

    /**
     * Records what a step that is not done yet waits for (when that changed) and leaves it running.
     *
     * @return false: the task did not advance, so the loop waits before running the step again
     */
    private boolean waiting(String id, int step, String note, Fence fence) {
        log.debug("controller {}: task {}: step {} not done yet: {}", me, id, step + 1, note);
        reread(id).filter(now -> !note.equals(now.task().steps().get(step).note()))
                .ifPresent(now -> {
                    write(now, now.task().withStep(step, now.task().steps().get(step).waiting(note), clock.millis()), fence);
                    log.info("controller {}: task {}: step {} '{}' waits: {}", me, id, step + 1, now.task().steps().get(step).name(),
                            note);
                });
        return false;
    }

    private boolean undo(TaskEntry read, TaskType type, int step, Fence fence) {
        TaskType.Step work = type.steps().get(step);
        String id = read.task().id();
        try {
            work.undo().apply(new TaskContext(id, cluster, store, fence, clock, read.task().steps().get(step).startedMillis()));
        } catch (Exception e) {
            String why = "undoing step " + (step + 1) + " '" + work.name() + "' failed: " + describe(e)
                    + "; what the steps up to it did may remain";
            log.warn("controller {}: task {}: {}", me, id, why);
            Optional<TaskEntry> failed = reread(id)
                    .flatMap(now -> write(now, withError(now.task(), why).withState(State.FAILED, clock.millis()), fence));
            failed.ifPresent(done -> finished(done.task()));
            return failed.isPresent();
        }
        return reread(id).flatMap(now -> write(now, now.task()
                .withStep(step, now.task().steps().get(step).undone(clock.millis()), clock.millis()), fence)).isPresent();
    }

    private void finished(Task task) {
        outcomes.computeIfAbsent(new TypeState(task.type(), task.state().label()), k -> new LongAdder()).increment();
    }

    /** How many tasks this runner finished, by type and outcome (succeeded, failed, cancelled). Thread-safe. */
    public SortedMap<TypeState, Long> outcomes() {
        SortedMap<TypeState, Long> out = new TreeMap<>();
        outcomes.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static Task withError(Task task, String why) {
        return new Task(task.format(), task.id(), task.type(), task.state(), task.steps(), task.progress(), why, task.owner(),
                task.createdMillis(), task.updatedMillis(), task.finishedMillis(), task.ownerEpoch(), task.parameters(),
                task.cancelRequested(), task.rollingBack());
    }

    /** Writes a task change, fenced; the task as read back, or empty when refused (logged). */
    private Optional<TaskEntry> write(TaskEntry read, Task next, Fence fence) {
        if (store.update(read, next, fence)) {
            return reread(next.id());
        }
        log.info("controller {}: task {}: write refused (changed since read, or epoch {} is no longer current): reading it again",
                me, next.id(), fence.epoch());
        return Optional.empty();
    }

    private Optional<TaskEntry> reread(String id) {
        return store.task(id);
    }

    private void report(String id, TaskDecision d) {
        if (d.action() != TaskDecision.Action.NONE || !d.sentence().equals(lastSentence.get(id))) {
            log.info("controller {}: task {}: {}", me, id, d.sentence());
        }
        lastSentence.put(id, d.sentence());
    }

    /** An error's message with its causes' messages, as recorded in the task. */
    static String describe(Throwable e) {
        StringBuilder why = new StringBuilder(e.getMessage() == null ? "failed without a message" : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !why.toString().contains(cause.getMessage())) {
                why.append(": ").append(cause.getMessage());
            }
        }
        return why.toString();
    }
}
