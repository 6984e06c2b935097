package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.Optional;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.DcsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgherd scale --replicas N}: sets the desired number of read replicas ({@code spec.read_replicas}) with
 * compare-and-set; the controller adds or removes replicas to match. Refused, with nothing written, for N below
 * 0 or above {@link #MAX_READ_REPLICAS}, and while a task adding or removing a replica is pending or running.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Set the desired number of read replicas (spec.read_replicas in the DCS); the controller adds or"
                + " removes read replicas to match ('pgherd list' shows desired against running).",
                "Refused while a task adding or removing a replica is pending or running."})
final class ScaleCommand extends HaCommand {
    /** The most read replicas {@code scale} sets (the controller's own limit may be lower). */
    static final int MAX_READ_REPLICAS = 16;
    /** The task types that change the number of read replicas. */
    static final java.util.List<String> SCALE_TASKS = java.util.List.of("add_replica", "remove_replica");

    @Option(names = "--replicas", required = true, paramLabel = "N",
            description = "The desired number of read replicas, 0 to " + MAX_READ_REPLICAS + ".")
    int replicas;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        if (replicas < 0 || replicas > MAX_READ_REPLICAS) {
            // One line, as for an unknown option (exit 2): the usage would bury it.
            PrintWriter err = spec.commandLine().getErr();
            err.println("pgherd: --replicas must be 0 to " + MAX_READ_REPLICAS + " (got " + replicas
                    + "); nothing was changed; see 'pgherd scale --help'");
            err.flush();
            return 2;
        }
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            scaleTaskUnderWay(store).ifPresent(t -> {
                throw new CommandFailure("a task changing the read replicas is " + state(t) + " (" + t.type() + " " + t.id()
                        + "): wait until it ends ('pgherd tasks') and scale again; nothing was changed");
            });
            ClusterStore.SpecRead read = store.readSpec();
            if (read.spec().filter(s -> s.format() > Spec.FORMAT).isPresent()) {
                throw new CommandFailure("the cluster's spec was written by a newer pgherd (format " + read.spec().get().format()
                        + "); scale it with that release; nothing was changed");
            }
            Optional<Integer> before = read.spec().map(Spec::readReplicas);
            if (before.equals(Optional.of(replicas))) {
                out.println("desired read replicas already " + replicas + "; nothing changed");
                return 0;
            }
            Spec next = new Spec(Spec.FORMAT, replicas, read.spec().map(Spec::autoscaling).orElse(null));
            boolean written;
            try {
                written = store.writeSpec(read.revision(), next);
            } catch (DcsException e) {
                throw new CommandFailure("the DCS did not answer, so the desired read replicas may or may not be " + replicas
                        + " ('pgherd list' shows it): " + e.getMessage(), e);
            }
            if (written) {
                out.println("desired read replicas: " + replicas + before.map(b -> " (was " + b + ")").orElse("")
                        + "; the controller adds or removes read replicas to match");
                if (read.spec().map(Spec::autoscaling).filter(Spec.Autoscaling::enabled).isPresent()) {
                    out.println("note: autoscaling is on, so the controller may change the number again");
                }
                return 0;
            }
        }
        throw new CommandFailure("the cluster's spec kept changing under " + ClusterStore.MAX_TRIES
                + " compare-and-set tries; nothing was written, try again");
    }

    /** A task adding or removing a replica that is pending or running, if any. */
    private static Optional<Task> scaleTaskUnderWay(ClusterStore store) {
        return store.read().tasks().values().stream()
                .filter(t -> SCALE_TASKS.contains(t.type()))
                .filter(t -> t.state() == Task.State.PENDING || t.state() == Task.State.RUNNING)
                .findFirst();
    }

    private static String state(Task t) {
        return t.state() == Task.State.PENDING ? "pending" : "running";
    }
}
