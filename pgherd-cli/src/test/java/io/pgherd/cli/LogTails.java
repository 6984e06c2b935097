package io.pgherd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The last lines of every {@code .log} file of a test's cluster directory, printed when a test of the class failed:
 * what each process said before it went wrong, in the build's output. Register as a field with
 * {@code @RegisterExtension}.
 */
final class LogTails implements TestWatcher {
    private final Supplier<Path> dir;
    private final int depth;
    private final int lines;
    private final Supplier<String> first;

    /**
     * @param dir   the cluster's directory (null until the class made it: nothing is printed then)
     * @param depth how deep under it to look for logs
     * @param lines how many lines of each log
     * @param first what to print before the logs (a table of the proxy's, say), read at the failure
     */
    LogTails(Supplier<Path> dir, int depth, int lines, Supplier<String> first) {
        this.dir = dir;
        this.depth = depth;
        this.lines = lines;
        this.first = first;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Path root = dir.get();
        if (root == null) {
            return;
        }
        String before = first.get();
        if (!before.isEmpty()) {
            System.out.println(before);
        }
        try (var files = Files.walk(root, depth)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                List<String> all = Files.readAllLines(log);
                System.out.println("---- " + log + " (last " + lines + " lines)");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
            }
        } catch (Exception e) {
            System.out.println("(could not print the logs: " + e + ")");
        }
    }
}
