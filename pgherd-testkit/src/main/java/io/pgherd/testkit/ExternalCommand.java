package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program (psql, pgbench, python3) in tests, with a deadline, capturing its output.
 * A program that outlives its deadline is killed and the test fails saying so.
 */
public final class ExternalCommand {
    private ExternalCommand() {
    }

    /** What a program did: its exit code and output. */
    public record Outcome(List<String> argv, int exitCode, String stdout, String stderr) {
        /** Fails unless the exit code is 0, showing everything the program said. */
        public Outcome requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(this.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", argv) + " exited with " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code argv} with extra environment variables, at most {@code timeout}. */
    public static Outcome run(List<String> argv, Map<String, String> env, Duration timeout) {
        try {
            Path out = Files.createTempFile("pgherd-cmd", ".out");
            Path err = Files.createTempFile("pgherd-cmd", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", argv) + " did not finish within " + timeout.toSeconds()
                            + " s\n--- stdout\n" + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
                }
                return new Outcome(argv, process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + argv, e);
        }
    }
}
