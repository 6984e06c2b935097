package io.pgherd.controller.replicas;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Member;
import io.pgherd.controller.task.FencedWriteRefusedException;
import io.pgherd.dcs.Fence;

/**
 * The {@value Provisioner#SPARE} provisioner: a read replica is an agent started with {@code role: spare} on
 * another host (by the user's own tooling), registered in the DCS without data. {@link #provision} and
 * {@link #start} assign it role replica ({@code assignments/<member>}: its agent clones and joins by itself);
 * {@link #stop} and {@link #release} assign it spare again (its agent stops PostgreSQL and wipes its data: a
 * spare keeps none). {@link ReplicaRules} picks which spare. Every write is fenced by the acting controller's
 * epoch and names the task. Made for one step of one task.
 */
public final class SpareProvisioner implements Provisioner {
    private final ClusterStore cluster;
    private final ControllerStore controller;
    private final Fence fence;
    private final String taskId;

    public SpareProvisioner(ClusterStore cluster, Fence fence, String taskId) {
        this.cluster = cluster;
        this.controller = new ControllerStore(cluster);
        this.fence = fence;
        this.taskId = taskId;
    }

    /**
     * Assigns the spare {@code name} role replica, not ready to take reads yet (the task marks it ready once it
     * streams), to clone from {@code cloneFrom} (the spare clones from it when it can serve, else makes its own
     * choice).
     *
     * @throws StepFailure when {@code name} is no registered spare and not already assigned
     */
    @Override
    public Placement provision(String name, String cloneFrom) {
        Member m = cluster.read().members().get(name);
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(name));
        boolean assigned = current.map(a -> a.role() == Assignment.Role.REPLICA).orElse(false);
        if (m == null) {
            throw new StepFailure(name + " is no registered spare: no agent of that name is in the DCS (it stopped, or never"
                    + " ran with role: spare)");
        }
        if (!assigned && !ReplicaRules.SPARE_ROLE.equals(m.role())) {
            throw new StepFailure(name + " is no free spare: its agent has role " + m.role());
        }
        assign(name, Assignment.Role.REPLICA, cloneFrom);
        return new Placement(name, m.host(), m.port(), "the spare on " + m.host());
    }

    /** Assigns it role replica (again): the agent runs already, and clones once so assigned. */
    @Override
    public void start(String name) {
        assign(name, Assignment.Role.REPLICA, null);
    }

    /** Assigns it spare: its agent stops PostgreSQL (and wipes its data: a spare keeps none). */
    @Override
    public void stop(String name) {
        if (Optional.ofNullable(cluster.assignments().get(name)).isPresent()) {
            assign(name, Assignment.Role.SPARE, null);
        }
    }

    /** Assigns it spare: it wipes its data and waits to be assigned again. */
    @Override
    public void release(String name) {
        stop(name);
    }

    /**
     * A spare assigned role replica whose agent's member record is gone (the agent stopped or its host died, in the
     * middle of its clone or after): it will not stream.
     */
    @Override
    public Optional<String> lost(String name) {
        if (cluster.read().members().containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of("the agent of the spare " + name + " is gone from the DCS (it stopped, or its host died)");
    }

    /** The members assigned role replica. */
    @Override
    public List<String> list() {
        return cluster.assignments().entrySet().stream().filter(e -> e.getValue().role() == Assignment.Role.REPLICA)
                .map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * Writes {@code name}'s assignment {@code role}; nothing when it has that role already (so a replica made ready
     * stays ready). A new replica assignment is not ready; {@code cloneFrom} (null: the one it has) is its source.
     */
    private void assign(String name, Assignment.Role role, String cloneFrom) {
        Optional<Assignment> current = Optional.ofNullable(cluster.assignments().get(name));
        boolean draining = current.map(Assignment::draining).orElse(false) && role == Assignment.Role.REPLICA;
        if (current.map(a -> a.role() == role && a.draining() == draining && a.understood()).orElse(false)) {
            return;
        }
        boolean replica = role == Assignment.Role.REPLICA;
        String source = cloneFrom != null ? cloneFrom : current.map(Assignment::cloneFrom).orElse(null);
        Assignment next = Assignment.of(name, role, draining, taskId, fence.epoch()).withCloneFrom(replica ? source : null)
                .withReady(!replica);
        if (!controller.putAssignment(next, fence)) {
            throw new FencedWriteRefusedException("task " + taskId + ": could not assign " + name + " role "
                    + role.name().toLowerCase(Locale.ROOT) + ": the write was refused (controller epoch "
                    + fence.epoch() + " no longer current, or the assignment kept changing)");
        }
    }
}
