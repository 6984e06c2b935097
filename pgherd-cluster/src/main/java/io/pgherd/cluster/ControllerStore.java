package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.Session;

/**
 * What the controllers read and write: their lease ({@code controller}, {@code controller_epoch}) and
 * the durable tasks ({@code tasks/<id>}). Every write of a controller carries its {@link Fence}, so a
 * controller deposed since it took the lease writes nothing; users' requests (cancel) are plain
 * compare-and-sets. Thread-safe, like the {@link Dcs} under it.
 */
public final class ControllerStore {

    private final Dcs dcs;
    private final ClusterKeys keys;
    private final UnreadableRecords unreadable;

    /** A task as read, with the revision a compare-and-set of it expects. */
    public record TaskEntry(Task task, long modRevision) {
    }

    /** What {@link #requestCancel} did. */
    public enum CancelOutcome {
        /** The owner will undo the task's done steps (or cancel it at once if it has not started). */
        REQUESTED,
        /** No task of that id. */
        NO_SUCH_TASK,
        /** The task has already ended; nothing written. */
        ALREADY_FINISHED
    }

    public ControllerStore(ClusterStore store) {
        this.dcs = store.dcs();
        this.keys = store.keys();
        this.unreadable = store.unreadable();
    }

    /**
     * Takes the controller lease if no controller holds it, advancing the controller epoch in the same
     * transaction.
     *
     * @return the fence of this controller's epoch; empty when another controller (or an earlier session of
     *         this one) holds the lease
     */
    public Optional<Fence> acquire(String name, Session session) {
        return dcs.acquire(keys.controller(), name, session, keys.controllerEpoch(), name);
    }

    /** The name in the {@code controller} key: the acting controller; empty when none acts. */
    public Optional<String> acting() {
        return dcs.get(keys.controller()).map(Entry::value);
    }

    /** The current controller epoch (the mod revision of {@code controller_epoch}); empty before any controller acted. */
    public OptionalLong epoch() {
        return dcs.get(keys.controllerEpoch()).map(e -> OptionalLong.of(e.modRevision())).orElse(OptionalLong.empty());
    }

    /** Every task that can be read, sorted by id (unreadable ones are reported and left out). */
    public List<TaskEntry> tasks() {
        List<TaskEntry> tasks = new ArrayList<>();
        for (Entry e : dcs.list(keys.tasks())) {
            parse(e).ifPresent(tasks::add);
        }
        return tasks;
    }

    /** One task; empty when absent or unreadable (reported). */
    public Optional<TaskEntry> task(String id) {
        return dcs.get(keys.task(id)).flatMap(this::parse);
    }

    /** Creates a task; false if one of that id exists or {@code fence} no longer passes (nothing written). */
    public boolean create(Task task, Fence fence) {
        return dcs.createIfAbsent(keys.task(task.id()), ClusterJson.write(task), fence);
    }

    /**
     * Replaces a task read at {@code read}.
     *
     * @return false if the task was written since (a user's cancel, another controller) or {@code fence} no
     *         longer passes (nothing written)
     */
    public boolean update(TaskEntry read, Task next, Fence fence) {
        return dcs.compareAndSet(keys.task(next.id()), read.modRevision(), ClusterJson.write(next), fence);
    }

    /**
     * Deletes a task read at {@code read} (pruning a finished one).
     *
     * @return false if the task was written since or {@code fence} no longer passes (nothing deleted)
     */
    public boolean delete(TaskEntry read, Fence fence) {
        return dcs.compareAndDelete(keys.task(read.task().id()), read.modRevision(), fence);
    }

    /**
     * Asks the task's owner to cancel it (a user's request, not fenced: whoever owns the task acts on it).
     *
     * @throws ConflictException when the task keeps changing under {@link ClusterStore#MAX_TRIES} attempts
     */
    public CancelOutcome requestCancel(String id, long nowMillis) {
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            Optional<Entry> current = dcs.get(keys.task(id));
            if (current.isEmpty()) {
                return CancelOutcome.NO_SUCH_TASK;
            }
            Task task = ClusterJson.read(current.get().key(), current.get().value(), Task.class);
            if (task.finished()) {
                return CancelOutcome.ALREADY_FINISHED;
            }
            if (dcs.compareAndSet(keys.task(id), current.get().modRevision(), ClusterJson.write(task.withCancelRequested(nowMillis)))) {
                return CancelOutcome.REQUESTED;
            }
        }
        throw new ConflictException(keys.task(id), ClusterStore.MAX_TRIES);
    }

    /**
     * Writes a member's assignment ({@code assignments/<member>}), fenced: created when absent, else replaced by a
     * compare-and-set of what was read, tried again while the key changes under it.
     *
     * @return false when {@code fence} no longer passes or the key kept changing (nothing written)
     */
    public boolean putAssignment(Assignment assignment, Fence fence) {
        String key = keys.assignment(assignment.member());
        String value = ClusterJson.write(assignment);
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            Optional<Entry> current = dcs.get(key);
            boolean written = current.isEmpty() ? dcs.createIfAbsent(key, value, fence)
                    : dcs.compareAndSet(key, current.get().modRevision(), value, fence);
            if (written) {
                return true;
            }
            if (epoch().orElse(0) != fence.epoch()) {
                return false;
            }
        }
        return false;
    }

    /**
     * Deletes a member's assignment, fenced.
     *
     * @return true when it is gone (or was never there); false when {@code fence} no longer passes or the key kept
     *         changing (nothing deleted)
     */
    public boolean deleteAssignment(String member, Fence fence) {
        String key = keys.assignment(member);
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            Optional<Entry> current = dcs.get(key);
            if (current.isEmpty() || dcs.compareAndDelete(key, current.get().modRevision(), fence)) {
                return true;
            }
            if (epoch().orElse(0) != fence.epoch()) {
                return false;
            }
        }
        return false;
    }

    private Optional<TaskEntry> parse(Entry e) {
        try {
            Task task = ClusterJson.read(e.key(), e.value(), Task.class);
            unreadable.readable(e.key());
            return Optional.of(new TaskEntry(task, e.modRevision()));
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            return Optional.empty();
        }
    }
}
