package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.pgherd.postgres.Deadline;
import io.pgherd.postgres.PortInUseException;
import io.pgherd.postgres.Ports;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.Processes;
import io.pgherd.postgres.SecureFiles;

/**
 * One background process of a local cluster, run from this jar ({@code pgherd proxy}, {@code pgherd
 * agent}, {@code pgherd zookeeper}): started in its own session so it outlives the command that
 * started it, its PID in a file, its output appended to a log, ready once it accepts connections on
 * its port (or at once, without a port); stopped by that PID only. Its log is owner-only (0600).
 *
 * @param what what it is, for messages ("the proxy", "the agent of node2")
 * @param pidFile where its PID is kept
 * @param logFile where its output goes
 * @param port the loopback port it listens on once it is ready; 0: none (ready once started)
 */
record Daemon(String what, Path pidFile, Path logFile, int port) {

    /** Whether it runs (its recorded PID is alive). */
    boolean isRunning() {
        return pid().isPresent();
    }

    /** Whether something accepts connections on its port; a daemon without a port (0) needs none: it accepts. */
    boolean accepts() {
        if (port == 0) {
            return true;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether process {@code pid} accepts connections on its port (any process, when {@code /proc} does not tell). */
    private boolean listens(long pid) {
        if (!accepts()) {
            return false;
        }
        OptionalLong listener = Ports.listenerPid(port);
        return listener.isEmpty() || listener.getAsLong() == pid;
    }

    /** Its PID while it runs. */
    OptionalLong pid() {
        try {
            if (!Files.exists(pidFile)) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return Processes.isRunning(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Starts {@code java jvmOptions -cp <this jar> io.pgherd.cli.Main arguments} in the background and
     * waits until it accepts connections on {@link #port}: it, not another process (one that held the port
     * would make a daemon that failed to listen look ready).
     *
     * @throws PortInUseException when another process listens on {@link #port} before the start
     * @throws PostgresException with the end of its log when it exits or does not come up in time
     */
    void start(List<String> jvmOptions, List<String> arguments, Duration timeout) {
        start(jvmOptions, arguments, timeout, ownJar());
    }

    /** As {@link #start(List, List, Duration)}, with {@code classPath} rather than this jar (a test runs the built jar). */
    void start(List<String> jvmOptions, List<String> arguments, Duration timeout, String classPath) {
        Ports.requireFree(port, what);
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Its own session: closing the terminal that ran 'pgherd up' must not take it down.
            argv.add("/usr/bin/setsid");
        }
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", classPath, Main.class.getName()));
        argv.addAll(arguments);
        // Created owner-only before the process appends to it: a log may show addresses, names and errors.
        SecureFiles.createPrivateFile(logFile);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new PostgresException("could not start " + what + ": " + e.getMessage(), e);
        }
        // setsid execs into java, so the started process's PID is the daemon's.
        long pid = process.pid();
        SecureFiles.write(pidFile, pid + "\n", null);
        if (!Deadline.await(timeout, () -> listens(pid) || !Processes.isRunning(pid))) {
            stop(Duration.ofSeconds(10));
            throw new PostgresException(what + " did not accept connections on port " + port + " within "
                    + timeout.toSeconds() + " s; end of " + logFile + ":\n" + tail());
        }
        if (!Processes.isRunning(pid)) {
            throw new PostgresException(what + " exited at start; end of " + logFile + ":\n" + tail());
        }
    }

    /** Asks it to stop (SIGTERM) without waiting, unless it is this process (see {@link #stop}); true when it was running. */
    boolean signalStop() {
        OptionalLong pid = pid();
        pid.stream().filter(p -> p != ProcessHandle.current().pid())
                .forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroy));
        return pid.isPresent();
    }

    /** Stops it (SIGTERM, then SIGKILL after {@code timeout}) and forgets its PID; one that does not run is left alone. */
    void stop(Duration timeout) {
        OptionalLong pid = pid();
        // A foreground 'pgherd up' records its own PID for the proxy it hosts: it stops that proxy itself.
        if (pid.isPresent() && pid.getAsLong() != ProcessHandle.current().pid()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(p -> {
                p.destroy();
                if (!Deadline.await(timeout, () -> !Processes.isRunning(p.pid()))) {
                    p.destroyForcibly();
                    Deadline.await(Duration.ofSeconds(5), () -> !Processes.isRunning(p.pid()));
                }
            });
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of its log, indented. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return "    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "    (no log)";
        }
    }

    private static String ownJar() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the pgherd jar", e);
        }
    }
}
