package io.pgherd.proxy.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.testkit.Await;

/**
 * Where statements ran, as the servers themselves logged them. With {@code log_statement = all}
 * every node writes one line per statement it executes: {@code LOG:  statement: …} for a simple
 * Query, {@code LOG:  execute <name>: …} for each extended-protocol Execute. A test puts a unique
 * {@link #marker()} in a comment on the statement's first line and asks which nodes executed it and
 * how often; error reports ({@code STATEMENT:} lines) are not executions and are not counted.
 *
 * <p>A server logs a statement before it runs it, so once the client has the answer the line is in
 * the file: waiting for the first sighting and then looking at the other nodes is enough to prove
 * that they did not run it. Reads the log files afresh on every call; stateless and thread-safe.
 */
final class ServerStatementLog {
    private static final Duration LOGGED_WITHIN = Duration.ofSeconds(10);

    private final LocalCluster cluster;

    ServerStatementLog(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** A fresh marker, unique in every log: put it in a comment on the statement. */
    static String marker() {
        return "m-" + UUID.randomUUID();
    }

    /** The execution lines that contain {@code marker}, by node name (nodes with none are left out). */
    Map<String, List<String>> lines(String marker) {
        Map<String, List<String>> byNode = new TreeMap<>();
        for (PostgresNode node : cluster.nodes()) {
            List<String> found = new ArrayList<>();
            for (String line : read(node).split("\n")) {
                if (line.contains(marker) && (line.contains(" LOG:  statement: ") || line.contains(" LOG:  execute "))) {
                    found.add(line);
                }
            }
            if (!found.isEmpty()) {
                byNode.put(node.name(), found);
            }
        }
        return byNode;
    }

    /** How many times each node executed a statement containing {@code marker} (nodes with none are left out). */
    Map<String, Integer> executions(String marker) {
        Map<String, Integer> counts = new TreeMap<>();
        lines(marker).forEach((node, found) -> counts.put(node, found.size()));
        return counts;
    }

    /**
     * Waits until the nodes together logged at least {@code count} executions of {@code marker},
     * then returns the executions by node.
     */
    Map<String, Integer> await(String marker, int count) {
        Await.until(count + " execution(s) of " + marker + " in the server logs", LOGGED_WITHIN,
                () -> executions(marker).values().stream().mapToInt(Integer::intValue).sum() >= count);
        return executions(marker);
    }

    private static String read(PostgresNode node) {
        try {
            // Bytes, not readString: the server may be in the middle of writing a multi-byte character.
            return Files.exists(node.logFile()) ? new String(Files.readAllBytes(node.logFile()), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the server log " + node.logFile(), e);
        }
    }
}
