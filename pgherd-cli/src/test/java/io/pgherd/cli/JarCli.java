package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;

/** The shaded jar run as a separate process, as a user runs it, and psql beside it: what the CLI's ITs share. */
final class JarCli {
    static final Path JAR = Path.of("target/pgherd.jar").toAbsolutePath();
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private JarCli() {
    }

    static void assertNothingRunsIn(Path dir, List<Long> postmasters) {
        for (long pid : postmasters) {
            Await.until("postmaster " + pid + " to exit", Duration.ofSeconds(10),
                    () -> !Processes.isRunning(pid));
        }
        List<String> left = ProcessHandle.allProcesses().filter(p -> Processes.isRunning(p.pid()))
                .map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains(dir.toString())).toList();
        assertThat(left).as("processes still running in " + dir).isEmpty();
    }

    static List<Long> postmasterPids(Path dir) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String node : List.of("node1", "node2", "node3", "node4")) {
            Path pidFile = dir.resolve(node).resolve("data/postmaster.pid");
            if (Files.exists(pidFile)) {
                pids.add(Long.parseLong(Files.readAllLines(pidFile).get(0).strip()));
            }
        }
        return pids;
    }

    static JsonNode statusJson(Path dir) throws Exception {
        Result status = pgherd("status", "--dir", dir.toString(), "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        return new ObjectMapper().readTree(status.stdout());
    }

    /**
     * {@link #statusJson} run in this JVM ({@link #inThisJvm}): for a wait that polls the status, where a JVM started
     * every poll would take seconds of CPU from the cluster it waits for.
     */
    static JsonNode statusJsonHere(Path dir) throws Exception {
        InJvm status = inThisJvm("status", "--dir", dir.toString(), "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        return new ObjectMapper().readTree(status.out());
    }

    static String psql(String uri, String sql) throws Exception {
        List<String> lines = psqlLines(uri, sql);
        return lines.get(lines.size() - 1);
    }

    static List<String> psqlLines(String uri, String sql) throws Exception {
        Result result = run(List.of("psql", uri, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql));
        if (result.exit() != 0) {
            throw new AssertionError("psql failed: " + result);
        }
        return List.of(result.stdout().strip().split("\\R"));
    }

    static Result pgherd(String... args) throws Exception {
        List<String> argv = new ArrayList<>(java(args));
        argv.addAll(List.of(args));
        boolean exited = false;
        try {
            Result result = run(argv);
            exited = true;
            return result;
        } finally {
            archived(argv, exited);
        }
    }

    /**
     * The JVM options the {@code pgherd} script gives a command ({@code args[0]}), then {@code -jar JAR}: a short
     * command (every one but {@code up}, {@code agent}, {@code proxy}, {@code zookeeper}) runs on the C1 compiler
     * only with the serial collector and class-data sharing from an archive of the classes {@code status} or
     * {@code list} loaded ({@value #ARCHIVE_NAME}, made by the first of them run after the jar was built, as the
     * script makes its own). A JVM's start on 2 busy cores takes seconds; this halves its CPU time, and the ITs
     * run hundreds of such commands. JVM options do not change what a command does.
     */
    static List<String> java(String... args) {
        String command = args.length == 0 ? "" : args[0];
        if (List.of("up", "agent", "proxy", "zookeeper").contains(command)) {
            return List.of("java", "-jar", JAR.toString());
        }
        List<String> argv = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        Path archive = JAR.resolveSibling(ARCHIVE_NAME);
        if (Files.exists(archive) && archive.toFile().lastModified() >= JAR.toFile().lastModified()) {
            argv.add("-XX:SharedArchiveFile=" + archive);
        } else if ((command.equals("status") || command.equals("list")) && ARCHIVING.compareAndSet(false, true)) {
            // Written under a name of its own and moved in place when the JVM has exited: a concurrent reader
            // never sees half an archive.
            argv.add("-XX:ArchiveClassesAtExit=" + archive + "." + ProcessHandle.current().pid());
        }
        argv.addAll(List.of("-jar", JAR.toString()));
        return argv;
    }

    private static final String ARCHIVE_NAME = "pgherd-cli-it.jsa";
    private static final AtomicBoolean ARCHIVING = new AtomicBoolean();

    /** Moves the archive a command made ({@link #java}) in place once it {@code exited} (one it was killed in is dropped). */
    private static void archived(List<String> argv, boolean exited) throws IOException {
        for (String option : argv) {
            if (option.startsWith("-XX:ArchiveClassesAtExit=")) {
                Path made = Path.of(option.substring(option.indexOf('=') + 1));
                if (exited && Files.exists(made) && Files.size(made) > 0) {
                    Files.move(made, JAR.resolveSibling(ARCHIVE_NAME), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(made);
                }
                ARCHIVING.set(false);
            }
        }
    }

    static Result run(List<String> argv) throws Exception {
        Path out = Files.createTempFile("pgherd-cli", ".out");
        Path err = Files.createTempFile("pgherd-cli", ".err");
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(argv + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@link #pgherd} with {@code environment} added to this process's. */
    static Result pgherd(Map<String, String> environment, String... args) throws Exception {
        List<String> argv = new ArrayList<>(java(args));
        argv.addAll(List.of(args));
        boolean exited = false;
        try {
            Result result = run(argv, environment, "");
            exited = true;
            return result;
        } finally {
            archived(argv, exited);
        }
    }

    /** {@link #run(List)} with {@code environment} added to this process's and {@code input} on its standard input. */
    static Result run(List<String> argv, Map<String, String> environment, String input) throws Exception {
        Path in = Files.createTempFile("pgherd-cli", ".in");
        Path out = Files.createTempFile("pgherd-cli", ".out");
        Path err = Files.createTempFile("pgherd-cli", ".err");
        try {
            Files.writeString(in, input);
            ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process p = builder.start();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(argv + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** What a pgherd command run in this JVM printed and returned. */
    record InJvm(int exit, String out, String err) {
    }

    /** A pgherd command run in this JVM: no JVM start of its own, which takes seconds on 2 busy cores. */
    static InJvm inThisJvm(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = Main.commandLine();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute(args);
        return new InJvm(exit, out.toString(), err.toString());
    }

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
