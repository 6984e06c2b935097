package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.DcsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgherd pause} and {@code pgherd resume}: maintenance mode, the {@code pause} flag in the
 * cluster's {@code config} key. While it is on, the agents neither fail over automatically nor act
 * on switchover requests.
 */
abstract class MaintenanceCommand extends HaCommand {
    /** Without a change reported by the DCS watch, the flag is read again after this anyway. */
    private static final long RECHECK_MILLIS = 1000;

    @Option(names = "--wait", defaultValue = "0", paramLabel = "S",
            description = "Then read the flag back until it shows, for up to S seconds (default: ${DEFAULT-VALUE}: do not check).")
    int waitSeconds;

    /** The value this command sets. */
    abstract boolean pause();

    @Override
    final int run(ClusterStore store, PrintWriter out) {
        checkWait(waitSeconds);
        boolean on = pause();
        if (ClusterState.of(store.read()).paused() == on) {
            out.println("maintenance mode is already " + (on ? "on" : "off") + "; nothing changed");
            return 0;
        }
        try {
            store.pause(on);
        } catch (DcsException e) {
            throw new CommandFailure("the DCS did not answer, so maintenance mode may or may not be " + (on ? "on" : "off")
                    + " ('pgherd list' shows it): " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new CommandFailure("maintenance mode was not changed: " + e.getMessage(), e);
        }
        if (waitSeconds > 0) {
            awaitVisible(store, on);
        }
        out.println(on ? "maintenance mode on: the agents do not fail over automatically until 'pgherd resume'"
                : "maintenance mode off: automatic failover is back");
        return 0;
    }

    private void awaitVisible(ClusterStore store, boolean on) {
        try (ClusterChanges changes = new ClusterChanges(store)) {
            awaitVisible(store, on, changes);
        }
    }

    private void awaitVisible(ClusterStore store, boolean on, ClusterChanges changes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (true) {
            try {
                if (ClusterState.of(store.read()).paused() == on) {
                    return;
                }
            } catch (DcsException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new CommandFailure("maintenance mode was set " + (on ? "on" : "off") + " but the DCS did not answer"
                            + " the check within " + waitSeconds + " s: " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new CommandFailure("maintenance mode was set " + (on ? "on" : "off") + " but a read still showed it "
                        + (on ? "off" : "on") + " after " + waitSeconds + " s (another client changed it back?)");
            }
            changes.await(Math.min(RECHECK_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                    "maintenance mode to show");
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Turn maintenance mode on: the agents stop failing over automatically and ignore switchover"
                    + " requests until 'pgherd resume'.")
    static final class Pause extends MaintenanceCommand {
        @Override
        boolean pause() {
            return true;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Turn maintenance mode off: automatic failover and switchovers work again.")
    static final class Resume extends MaintenanceCommand {
        @Override
        boolean pause() {
            return false;
        }
    }
}
