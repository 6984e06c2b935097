package io.pgherd.cli;

import java.io.PrintWriter;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.requests.RequestRefused;
import io.pgherd.controller.requests.ScaleRequest;
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
    static final int MAX_READ_REPLICAS = ScaleRequest.MAX_READ_REPLICAS;

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
        ScaleRequest.Outcome outcome;
        try {
            outcome = ScaleRequest.scale(store, replicas);
        } catch (RequestRefused e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (DcsException e) {
            throw new CommandFailure("the DCS did not answer, so the desired read replicas may or may not be " + replicas
                    + " ('pgherd list' shows it): " + e.getMessage(), e);
        }
        if (!outcome.changed()) {
            out.println("desired read replicas already " + replicas + "; nothing changed");
            return 0;
        }
        out.println("desired read replicas: " + replicas + outcome.before().map(b -> " (was " + b + ")").orElse("")
                + "; the controller adds or removes read replicas to match");
        if (outcome.autoscaling()) {
            out.println("note: autoscaling is on, so the controller may change the number again");
        }
        return 0;
    }
}
