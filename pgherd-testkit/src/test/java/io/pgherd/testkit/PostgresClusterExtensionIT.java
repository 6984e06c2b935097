package io.pgherd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;

/**
 * The kit's own promises, checked by running small test classes through the JUnit engine: the cluster
 * is shared by a class's tests, stopped after the class even when a test fails, its logs printed for
 * a failure, and its directory kept after a failure and removed after success.
 */
class PostgresClusterExtensionIT {
    static LocalCluster seenByFirst;
    static LocalCluster seenBySecond;

    @Test
    void aFailingClassStillStopsItsClusterAndPrintsTheServerLogs() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        EngineExecutionResults results;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingTests.class)).execute();
        } finally {
            System.setErr(original);
        }
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));

        assertThat(seenByFirst).isSameAs(seenBySecond);
        LocalCluster cluster = seenByFirst;
        assertThat(cluster.nodes()).hasSize(2).noneMatch(PostgresNode::isRunning);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("---- pgherd-testkit: server logs (deliberateFailure(LocalCluster) failed) ----",
                "== node1 (port " + cluster.primary().port() + ") " + cluster.primary().logFile(),
                "== node2 (port " + cluster.node("node2").port() + ")",
                "kept " + cluster.layout().root() + " for inspection");
        assertThat(cluster.layout().root()).isDirectory();
        PostgresClusterExtension.deleteTree(cluster.layout().root());
    }

    @Test
    void aPassingClassRemovesItsClusterDirectory() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(PassingTests.class)).execute();
        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        Path root = seenByFirst.layout().root();
        assertThat(root).doesNotExist();
    }

    @PostgresCluster(standby = false, replicas = 1)
    static class FailingTests {
        @Test
        void recordsTheCluster(LocalCluster cluster) {
            seenByFirst = cluster;
            assertThat(cluster.primary().isRunning()).isTrue();
        }

        @Test
        void deliberateFailure(LocalCluster cluster) {
            seenBySecond = cluster;
            throw new AssertionError("deliberate");
        }
    }

    @PostgresCluster(standby = false, replicas = 0)
    static class PassingTests {
        @Test
        void runs(LocalCluster cluster) {
            seenByFirst = cluster;
            assertThat(cluster.primary().isRunning()).isTrue();
        }
    }
}
