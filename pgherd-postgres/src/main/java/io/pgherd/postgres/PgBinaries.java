package io.pgherd.postgres;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries of one installation. Immutable.
 *
 * <p>{@link #find} searches, in order: the directory given by the user ({@code --pg-bin} or
 * configuration; when given, nothing else is tried), each directory on {@code PATH}, the output of
 * {@code pg_config --bindir}, then the newest {@code /usr/lib/postgresql/<major>/bin}. A directory
 * qualifies when it holds every {@link #REQUIRED} binary and its {@code postgres} is at least
 * {@link #MINIMUM_MAJOR}.
 *
 * @param binDir the directory holding the binaries
 * @param version the full version, such as {@code 15.18}
 * @param majorVersion the major version, such as {@code 15}
 */
public record PgBinaries(Path binDir, String version, int majorVersion) {
    public static final List<String> REQUIRED = List.of("postgres", "initdb", "pg_ctl", "pg_basebackup");
    public static final int MINIMUM_MAJOR = 15;
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?");

    /** The path of the binary {@code name} in this installation. */
    public Path tool(String name) {
        return binDir.resolve(name);
    }

    /** Searches this machine; see the class documentation for the order. */
    public static PgBinaries find(Optional<Path> configured) {
        return find(configured, Optional.ofNullable(System.getenv("PATH")).orElse(""), Path.of("/usr/lib/postgresql"));
    }

    /**
     * Searches with an explicit {@code PATH} value and distribution root (for tests).
     *
     * @throws PostgresNotFoundException naming every place searched and why it did not qualify
     */
    public static PgBinaries find(Optional<Path> configured, String pathEnv, Path distributionRoot) {
        List<String> searched = new ArrayList<>();
        if (configured.isPresent()) {
            Path dir = configured.get().toAbsolutePath();
            return probe(dir).orElseThrow(() -> new PostgresNotFoundException(
                    "PostgreSQL server binaries not usable in the configured directory " + dir + ": "
                            + rejection(dir) + ". " + installHint()));
        }
        List<Path> pathDirs = Stream.of(pathEnv.split(File.pathSeparator)).filter(s -> !s.isBlank())
                .map(Path::of).toList();
        for (Path dir : pathDirs) {
            Optional<PgBinaries> found = probe(dir);
            if (found.isPresent()) {
                return found.get();
            }
        }
        searched.add("PATH (" + (pathDirs.isEmpty() ? "empty" : pathDirs.size() + " directories") + ": no directory with "
                + String.join(", ", REQUIRED) + ")");
        Optional<Path> pgConfigDir = pathDirs.stream().map(d -> d.resolve("pg_config")).filter(Files::isExecutable)
                .findFirst().flatMap(PgBinaries::pgConfigBindir);
        if (pgConfigDir.isPresent()) {
            Optional<PgBinaries> found = probe(pgConfigDir.get());
            if (found.isPresent()) {
                return found.get();
            }
            searched.add("pg_config --bindir (" + pgConfigDir.get() + ": " + rejection(pgConfigDir.get()) + ")");
        } else {
            searched.add("pg_config --bindir (no pg_config on PATH)");
        }
        List<Path> distribution = distributionBinDirs(distributionRoot);
        for (Path dir : distribution) {
            Optional<PgBinaries> found = probe(dir);
            if (found.isPresent()) {
                return found.get();
            }
            searched.add(dir + " (" + rejection(dir) + ")");
        }
        if (distribution.isEmpty()) {
            searched.add(distributionRoot + "/*/bin (none)");
        }
        throw new PostgresNotFoundException("PostgreSQL " + MINIMUM_MAJOR + "+ server binaries ("
                + String.join(", ", REQUIRED) + ") not found; searched: " + String.join("; ", searched) + ". "
                + installHint());
    }

    private static String installHint() {
        return "Install PostgreSQL " + MINIMUM_MAJOR + " or later (Debian/Ubuntu: 'apt-get install postgresql') or name"
                + " the directory with --pg-bin DIR";
    }

    private static Optional<PgBinaries> probe(Path dir) {
        if (!missing(dir).isEmpty()) {
            return Optional.empty();
        }
        return version(dir).filter(v -> v.majorVersion() >= MINIMUM_MAJOR);
    }

    private static List<String> missing(Path dir) {
        return REQUIRED.stream().filter(name -> !Files.isExecutable(dir.resolve(name))).toList();
    }

    private static String rejection(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "not a directory";
        }
        List<String> missing = missing(dir);
        if (!missing.isEmpty()) {
            return "missing " + String.join(", ", missing);
        }
        return version(dir).map(v -> "PostgreSQL " + v.version() + " is older than " + MINIMUM_MAJOR)
                .orElse("'postgres --version' gave no version");
    }

    private static Optional<PgBinaries> version(Path dir) {
        return output(List.of(dir.resolve("postgres").toString(), "--version")).flatMap(text -> {
            Matcher m = VERSION.matcher(text);
            if (!m.find()) {
                return Optional.empty();
            }
            String full = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            return Optional.of(new PgBinaries(dir.toAbsolutePath(), full, Integer.parseInt(m.group(1))));
        });
    }

    private static Optional<Path> pgConfigBindir(Path pgConfig) {
        return output(List.of(pgConfig.toString(), "--bindir")).map(String::strip).filter(s -> !s.isEmpty())
                .map(Path::of);
    }

    private static List<Path> distributionBinDirs(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .sorted(Comparator.comparingDouble((Path p) -> Double.parseDouble(p.getFileName().toString()))
                            .reversed())
                    .map(p -> p.resolve("bin")).filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> output(List<String> argv) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
