package io.pgherd.controller.requests;

import java.util.List;
import java.util.Optional;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.controller.requests.RequestRefused.Kind;

/**
 * Setting the desired number of read replicas ({@code spec.read_replicas}) with compare-and-set, as
 * {@code pgherd scale} and {@code PUT /api/v1/spec/replicas} do; the controller then adds or removes replicas to
 * match. Refused, with nothing written, for a count below 0 or above {@link #MAX_READ_REPLICAS}, while a task adding
 * or removing a replica is pending or running, and when the spec was written by a newer release.
 */
public final class ScaleRequest {
    /** The most read replicas a user sets (the controller's own limit may be lower). */
    public static final int MAX_READ_REPLICAS = 16;
    /** The task types that change the number of read replicas. */
    public static final List<String> SCALE_TASKS = List.of("add_replica", "remove_replica");

    /**
     * What a scale did.
     *
     * @param before      the desired count before, empty when no spec was set
     * @param after       the desired count now
     * @param changed     whether the spec was written (false: it already said so)
     * @param autoscaling whether autoscaling is on, so the controller may change the count again
     */
    public record Outcome(Optional<Integer> before, int after, boolean changed, boolean autoscaling) {
    }

    private ScaleRequest() {
    }

    /** Refuses a count out of range (field {@code replicas}) before anything is read. */
    public static void checkRange(int replicas) {
        if (replicas < 0 || replicas > MAX_READ_REPLICAS) {
            throw new RequestRefused(Kind.INVALID, "replicas", "the desired read replicas must be 0 to " + MAX_READ_REPLICAS
                    + " (got " + replicas + "); nothing was changed");
        }
    }

    /**
     * Writes {@code spec.read_replicas = replicas}, keeping the rest of the spec.
     *
     * @throws RequestRefused saying why nothing was written
     * @throws io.pgherd.dcs.DcsException when the DCS did not answer (the spec may or may not have been written)
     */
    public static Outcome scale(ClusterStore store, int replicas) {
        checkRange(replicas);
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            scaleTaskUnderWay(store).ifPresent(t -> {
                throw new RequestRefused(Kind.CONFLICT, "a task changing the read replicas is " + state(t) + " (" + t.type()
                        + " " + t.id() + "): wait until it ends ('pgherd tasks') and scale again; nothing was changed");
            });
            ClusterStore.SpecRead read = store.readSpec();
            if (read.spec().filter(s -> s.format() > Spec.FORMAT).isPresent()) {
                throw new RequestRefused(Kind.CONFLICT, "the cluster's spec was written by a newer pgherd (format "
                        + read.spec().get().format() + "); scale it with that release; nothing was changed");
            }
            Optional<Integer> before = read.spec().map(Spec::readReplicas);
            boolean autoscaling = read.spec().map(Spec::autoscaling).filter(Spec.Autoscaling::enabled).isPresent();
            if (before.equals(Optional.of(replicas))) {
                return new Outcome(before, replicas, false, autoscaling);
            }
            Spec next = new Spec(Spec.FORMAT, replicas, read.spec().map(Spec::autoscaling).orElse(null));
            if (store.writeSpec(read.revision(), next)) {
                return new Outcome(before, replicas, true, autoscaling);
            }
        }
        throw new RequestRefused(Kind.CONFLICT, "the cluster's spec kept changing under " + ClusterStore.MAX_TRIES
                + " compare-and-set tries; nothing was written, try again");
    }

    /** A task adding or removing a replica that is pending or running, if any. */
    public static Optional<Task> scaleTaskUnderWay(ClusterStore store) {
        return store.read().tasks().values().stream()
                .filter(t -> SCALE_TASKS.contains(t.type()))
                .filter(t -> t.state() == Task.State.PENDING || t.state() == Task.State.RUNNING)
                .findFirst();
    }

    private static String state(Task t) {
        return t.state() == Task.State.PENDING ? "pending" : "running";
    }
}
