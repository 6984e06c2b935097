package io.pgherd.cli;

import java.time.Duration;
import java.util.Optional;

import io.pgherd.postgres.LocalCluster;

/**
 * {@code pgherd up} on a cluster whose every part runs: it changes nothing, says so and who supervises it; when
 * nobody does (a cluster started by a version without supervisors, or whose foreground {@code up} was killed), it
 * starts the background supervisor.
 */
final class AlreadyRunning {
    private AlreadyRunning() {
    }

    /** Whether the agents, every PostgreSQL, every proxy and every controller of the cluster run. */
    static boolean everything(ClusterDirectory directory, LocalState state, LocalCluster cluster, LocalAgents agents) {
        return agents.isRunning() && cluster.isRunning()
                && LocalProxy.all(directory, state).stream().allMatch(LocalProxy::isRunning)
                && new LocalControllers(directory, state).allRunning();
    }

    /**
     * What {@code up} says of it, starting the background supervisor first (within {@code timeout}) when nobody
     * supervises it.
     */
    static String say(ClusterDirectory directory, Optional<Supervisors.Running> supervisor, Duration timeout) {
        String running = "pgherd: the cluster in " + directory.path() + " is already running";
        if (supervisor.isPresent()) {
            return running + ", supervised by " + supervisor.get().describe() + "; nothing changed.";
        }
        long pid = Supervisors.startBackground(directory, timeout);
        return running + " without a supervisor; nothing changed but that: started the background supervisor (pid " + pid
                + ", log " + Supervisors.background(directory).logFile() + ").";
    }
}
