package io.pgherd.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which a client of a pgherd proxy was sent a Java class name or stack details.
 *
 * <p>The proxy's {@code ClientMessageLog} appends every ErrorResponse and NoticeResponse it sends
 * to the file named by the environment variable {@value #VARIABLE}, which the build sets for every
 * test JVM (and so for the processes tests start). After each test, and after each class (for
 * what its set-up and tear-down provoked), this extension reads the lines added since the last
 * check and fails with those that match {@link #JAVA_NAMES} (before the first class it only marks
 * where this run's lines begin). Registered for every test class
 * through {@code META-INF/services} and extension auto-detection, beside {@link NettyLeakDetection};
 * does nothing while the variable is unset. Thread-safe.
 */
public final class ClientMessageScan implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    /** The environment variable naming the file, as the proxy's {@code ClientMessageLog} reads it. */
    public static final String VARIABLE = "PGHERD_CLIENT_MESSAGE_LOG";
    /** What no client message may contain: a package of Java, Netty or pgherd, an exception's toString, a stack frame. */
    public static final Pattern JAVA_NAMES = Pattern.compile(
            "\\bjava\\.|\\bjavax\\.|\\bio\\.netty\\.|\\bio\\.pgherd\\.|Exception:|\\\\tat |\\tat ");
    private static long offset = -1;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The first class of the JVM marks where this run's lines begin; later ones find it marked.
        takeNew();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        List<String> bad = offending(takeNew());
        if (!bad.isEmpty()) {
            throw new AssertionError(bad.size() + " message(s) sent to clients during " + context.getDisplayName()
                    + " name Java classes or show stack details (checked by " + ClientMessageScan.class.getSimpleName()
                    + " in " + file().orElseThrow() + "):\n" + String.join("\n", bad));
        }
    }

    /** The lines of {@code lines} that match {@link #JAVA_NAMES}. */
    public static List<String> offending(Collection<String> lines) {
        return lines.stream().filter(l -> JAVA_NAMES.matcher(l).find()).toList();
    }

    /** The file the proxy writes client messages to, when the build names one. */
    public static Optional<Path> file() {
        String path = System.getenv(VARIABLE);
        return path == null || path.isBlank() ? Optional.empty() : Optional.of(Path.of(path));
    }

    /**
     * The complete lines written since the last call (or, on the first, since this JVM first looked:
     * earlier runs' lines are not this run's); they are then not checked again. A test that provokes
     * such a message on purpose takes it with this before the check runs.
     */
    public static synchronized List<String> takeNew() {
        Optional<Path> file = file();
        if (file.isEmpty()) {
            return List.of();
        }
        try {
            long size = Files.exists(file.get()) ? Files.size(file.get()) : 0;
            if (offset < 0 || size < offset) {
                offset = size;
                return List.of();
            }
            if (size == offset) {
                return List.of();
            }
            byte[] added = new byte[(int) (size - offset)];
            try (RandomAccessFile in = new RandomAccessFile(file.get().toFile(), "r")) {
                in.seek(offset);
                in.readFully(added);
            }
            int end = added.length;
            while (end > 0 && added[end - 1] != '\n') {
                end--; // a line still being appended is read at the next check
            }
            offset += end;
            List<String> lines = new ArrayList<>();
            for (String line : new String(added, 0, end, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file.get(), e);
        }
    }
}
