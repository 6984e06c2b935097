package io.pgherd.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.pgherd.postgres.Processes;

/**
 * Who supervises a local cluster ({@link Supervisor}): a foreground {@code pgherd up} (its PID in
 * {@value ClusterDirectory#PID_FILE}) or the background {@code pgherd supervise} of a detached
 * cluster (PID in {@value #PID_FILE}, output in {@value #LOG_FILE}). At most one runs per directory:
 * an {@code up} claims supervision while it holds the directory's lock, after looking here.
 */
final class Supervisors {
    static final String PID_FILE = "supervisor.pid";
    static final String LOG_FILE = "supervisor.log";

    /**
     * The process supervising a cluster.
     *
     * @param pid its PID
     * @param foreground whether it is a foreground {@code pgherd up} (else the background supervisor)
     */
    record Running(long pid, boolean foreground) {
        /** {@code foreground 'pgherd up'} or {@code background supervisor}, for messages. */
        String kind() {
            return foreground ? "foreground 'pgherd up'" : "background supervisor";
        }

        /** {@code pid 123 (a foreground 'pgherd up' in another terminal)}, for messages. */
        String describe() {
            return "pid " + pid + " (" + (foreground ? "a foreground 'pgherd up' in another terminal" : "the background"
                    + " supervisor") + ")";
        }
    }

    private Supervisors() {
    }

    /** The background supervisor's process (no port: it is ready once it runs). */
    static Daemon background(ClusterDirectory directory) {
        return new Daemon("the supervisor", directory.path().resolve(PID_FILE), directory.path().resolve(LOG_FILE), 0);
    }

    /** The supervisor of the cluster in {@code directory}, other than this process, if one runs. */
    static Optional<Running> find(ClusterDirectory directory) {
        long self = ProcessHandle.current().pid();
        OptionalLong up = directory.pid();
        if (up.isPresent() && up.getAsLong() != self && isJava(up.getAsLong())) {
            return Optional.of(new Running(up.getAsLong(), true));
        }
        OptionalLong background = background(directory).pid();
        if (background.isPresent() && background.getAsLong() != self) {
            return Optional.of(new Running(background.getAsLong(), false));
        }
        return Optional.empty();
    }

    /** Starts the background supervisor ({@code pgherd supervise --dir DIR}); returns its PID. */
    static long startBackground(ClusterDirectory directory, Duration timeout) {
        Daemon daemon = background(directory);
        // A loop each second over PID files and the DCS, like an agent: an agent's JVM options suit it.
        daemon.start(JvmOptions.of(JvmOptions.Kind.AGENT), List.of(SuperviseCommand.NAME, "--dir", directory.path().toString()), timeout);
        return daemon.pid().orElse(0);
    }

    /** Stops the background supervisor, if it runs, before anything it would restart is stopped; true when it ran. */
    static boolean stopBackground(ClusterDirectory directory, Duration timeout) {
        Daemon daemon = background(directory);
        boolean running = daemon.isRunning();
        daemon.stop(timeout);
        return running;
    }

    /** Whether {@code pid} runs a JVM (a PID file of a foreground 'up' may name a process that reused its PID). */
    private static boolean isJava(long pid) {
        return Processes.isRunning(pid) && ProcessHandle.of(pid).flatMap(p -> p.info().command())
                .map(c -> c.contains("java")).orElse(false);
    }
}
