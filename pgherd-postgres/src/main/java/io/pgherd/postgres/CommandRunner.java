package io.pgherd.postgres;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands with a timeout, as the {@link ServerUser} when the command is a server
 * binary. Thread-safe; every call blocks the calling thread (never call it on an event loop).
 */
public final class CommandRunner {
    private final ServerUser user;

    public CommandRunner(ServerUser user) {
        this.user = user;
    }

    public ServerUser user() {
        return user;
    }

    /**
     * Runs {@code argv} as the server user in {@code workDir} with extra environment variables.
     *
     * @return the result, whatever the exit code
     * @throws PostgresException if the command cannot be started or does not finish within {@code timeout}
     *     (the process is killed; the message carries its last output)
     */
    public CommandResult run(List<String> argv, Path workDir, Map<String, String> env, Duration timeout) {
        List<String> full = new ArrayList<>(user.wrap(argv));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).directory(workDir.toFile());
        builder.environment().putAll(env);
        // Locale-independent messages, so errors can be matched and quoted.
        builder.environment().put("LC_MESSAGES", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new PostgresException("could not run " + argv.get(0) + ": " + e.getMessage(), e);
        }
        OutputCollector collector = new OutputCollector(process.getInputStream());
        collector.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                collector.join(2_000);
                throw new PostgresException(String.format("%s did not finish within %d s; its last output:%n%s",
                        String.join(" ", argv), timeout.toSeconds(), Text.indent(Text.lastLines(collector.text(), 20))));
            }
            collector.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PostgresException("interrupted while running " + argv.get(0), e);
        }
        return new CommandResult(argv, process.exitValue(), collector.text());
    }

    /** Drains a process's output on its own thread so a chatty process never blocks on a full pipe. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        OutputCollector(InputStream in) {
            super("pgherd-command-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (in) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // The process was killed or closed its output; what was read so far is kept.
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
