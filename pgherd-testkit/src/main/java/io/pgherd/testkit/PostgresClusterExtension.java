package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

import io.pgherd.postgres.ClusterLayout;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.ServerUser;

/**
 * The JUnit 5 extension behind {@link PostgresCluster}. One cluster per test class, kept in the
 * class's extension store; its directory is removed after the class when every test passed and
 * kept (with its logs) otherwise.
 */
public final class PostgresClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver,
        TestWatcher {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresClusterExtension.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** Settings that make throw-away test servers fast and small; durability is not what these tests check. */
    public static final Map<String, String> TEST_PARAMETERS = Map.of(
            "fsync", "off",
            "shared_buffers", "16MB",
            "max_connections", "60",
            "log_min_messages", "warning");

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresCluster spec = context.getRequiredTestClass().getAnnotation(PostgresCluster.class);
        Map<String, String> parameters = new LinkedHashMap<>(TEST_PARAMETERS);
        for (String p : spec.parameters()) {
            int eq = p.indexOf('=');
            parameters.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        int count = 1 + (spec.standby() ? 1 : 0) + spec.replicas();
        Path root = TestDirectories.create(context.getRequiredTestClass().getSimpleName());
        ClusterLayout layout = ClusterLayout.standard(root, spec.standby(), spec.replicas(), FreePorts.allocate(count),
                parameters);
        LocalCluster cluster = LocalCluster.of(layout, binaries(), ServerUser.detect());
        State state = new State(cluster);
        context.getStore(NAMESPACE).put(State.class, state);
        try {
            cluster.start(START_TIMEOUT);
        } catch (RuntimeException e) {
            state.failed = true;
            printLogs(cluster, "cluster start failed");
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        State state = context.getStore(NAMESPACE).remove(State.class, State.class);
        if (state == null) {
            return;
        }
        try {
            state.cluster.close();
        } finally {
            if (!state.failed) {
                deleteTree(state.cluster.layout().root());
            } else {
                System.err.println("pgherd-testkit: kept " + state.cluster.layout().root() + " for inspection");
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        state(context).ifPresent(state -> {
            state.failed = true;
            printLogs(state.cluster, context.getDisplayName() + " failed");
        });
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return state(context).map(s -> s.cluster)
                .orElseThrow(() -> new ParameterResolutionException("no cluster: annotate the class with @PostgresCluster"));
    }

    /** The PostgreSQL installation tests use: {@code -Dpgherd.pgbin=DIR} or the usual search. */
    public static PgBinaries binaries() {
        return PgBinaries.find(Optional.ofNullable(System.getProperty("pgherd.pgbin")).map(Path::of));
    }

    /** Prints the last lines of every node's server log to standard error. */
    public static void printLogs(LocalCluster cluster, String why) {
        StringBuilder out = new StringBuilder("---- pgherd-testkit: server logs (" + why + ") ----\n");
        for (PostgresNode node : cluster.nodes()) {
            out.append("== ").append(node.name()).append(" (port ").append(node.port()).append(") ")
                    .append(node.logFile()).append('\n').append(node.logTail(40)).append('\n');
        }
        System.err.print(out);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    private static Optional<State> state(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            State state = c.get().getStore(NAMESPACE).get(State.class, State.class);
            if (state != null) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    private static final class State {
        final LocalCluster cluster;
        volatile boolean failed;

        State(LocalCluster cluster) {
            this.cluster = cluster;
        }
    }
}
