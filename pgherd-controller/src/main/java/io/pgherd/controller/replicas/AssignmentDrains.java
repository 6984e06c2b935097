package io.pgherd.controller.replicas;

import java.util.List;
import java.util.Optional;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.controller.task.FencedWriteRefusedException;
import io.pgherd.dcs.Fence;

/**
 * {@link Drains} over the DCS records: the mark is {@code draining} in the member's assignment
 * ({@code assignments/<member>}, written fenced by the acting controller's epoch, naming the task), and the
 * reads are what each live proxy's record ({@code proxies/<name>}) says: a proxy is done with a member once it
 * lists it as draining and runs no read there ({@link ProxyRecord#drained}). Made for one step of one task.
 */
public final class AssignmentDrains implements Drains {
    private final ClusterStore cluster;
    private final ControllerStore controller;
    private final Fence fence;
    private final String taskId;

    public AssignmentDrains(ClusterStore cluster, Fence fence, String taskId) {
        this.cluster = cluster;
        this.controller = new ControllerStore(cluster);
        this.fence = fence;
        this.taskId = taskId;
    }

    @Override
    public void announce(String member, String cloneFrom) {
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(member));
        if (current.map(a -> a.role() == Assignment.Role.REPLICA).orElse(false)) {
            return;
        }
        Assignment next = Assignment.of(member, Assignment.Role.REPLICA, false, taskId, fence.epoch()).withCloneFrom(cloneFrom)
                .withReady(false);
        if (!controller.putAssignment(next, fence)) {
            throw refused(member, "record it as a new replica not yet ready");
        }
    }

    @Override
    public void ready(String member) {
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(member));
        if (current.map(Assignment::ready).orElse(true)) {
            return;
        }
        if (!controller.putAssignment(current.get().withReady(true).writtenBy(taskId, fence.epoch()), fence)) {
            throw refused(member, "mark it ready");
        }
    }

    /**
     * A member without an assignment (one made before assignments marked readiness) gets one with role replica: what
     * it is. Whether it is ready and what it cloned from stay as they are.
     *
     * @throws FencedWriteRefusedException when this controller was deposed
     */
    @Override
    public void mark(String member, boolean draining) {
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(member));
        if (current.map(a -> a.draining() == draining).orElse(!draining)) {
            return;
        }
        // Rebuilt rather than a.withDraining(..).writtenBy(..), which keep the read record's format: this writes only
        // the fields this release knows, so it must say this release's format (a record read without one is format 0).
        Assignment next = current.map(a -> new Assignment(Assignment.FORMAT, member, a.role(), draining, taskId, fence.epoch(),
                        a.cloneFrom(), a.ready()))
                .orElseGet(() -> Assignment.of(member, Assignment.Role.REPLICA, draining, taskId, fence.epoch()));
        if (!controller.putAssignment(next, fence)) {
            throw refused(member, "mark it " + (draining ? "draining" : "not draining"));
        }
    }

    /** A spare's assignment (role spare) stays, not draining; any other is deleted. */
    @Override
    public void forget(String member) {
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(member));
        if (current.isEmpty()) {
            return;
        }
        boolean done = current.get().role() == Assignment.Role.SPARE
                ? !current.get().draining() || controller.putAssignment(Assignment.of(member, Assignment.Role.SPARE, false,
                        taskId, fence.epoch()), fence)
                : controller.deleteAssignment(member, fence);
        if (!done) {
            throw refused(member, "forget its draining mark");
        }
    }

    /**
     * A proxy "reports" a member once its record lists it as draining and says what reads it runs: until then
     * it may still start reads there.
     */
    @Override
    public List<ProxyReads> reads(String member) {
        return cluster.proxies().stream().map(p -> new ProxyReads(p.name(),
                p.draining() != null && p.draining().contains(member) && p.readsOn(member).isPresent(),
                p.readsOn(member).orElse(0))).toList();
    }

    private FencedWriteRefusedException refused(String member, String what) {
        return new FencedWriteRefusedException("task " + taskId + ": could not " + what + " (" + member + "): the write was"
                + " refused (controller epoch " + fence.epoch() + " no longer current, or the assignment kept changing)");
    }
}
