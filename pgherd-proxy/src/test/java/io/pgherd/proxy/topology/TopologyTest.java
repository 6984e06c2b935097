package io.pgherd.proxy.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.proxy.config.ProxyConfig;

/**
 * Which nodes may take a read and which one gets it: eligibility with its reason, primary_reads,
 * causal positions, least outstanding work, weights, and state kept across a reload.
 */
class TopologyTest {
    private static final String NODES = """
              nodes:
                - {name: p, port: 5432}
                - {name: s, port: 5433, role: standby}
                - {name: r1, port: 5434}
                - {name: r2, port: 5435}
            """;

    @TempDir
    Path dir;
    private Path password;

    @BeforeEach
    void writePasswordFile() throws Exception {
        password = Files.writeString(dir.resolve("health_password"), "secret\n");
    }

    /** A valid configuration with {@code nodes} (an indented {@code nodes:} block) and extra proxy lines. */
    private ProxyConfig configOf(String nodes, String... extra) {
        StringBuilder yaml = new StringBuilder("proxy:\n  auth: {type: trust}\n  health: {user: checker, password_file: ")
                .append(password).append("}\n").append(nodes);
        for (String line : extra) {
            yaml.append("  ").append(line).append('\n');
        }
        return ProxyConfig.read(yaml.toString(), "test");
    }

    private ProxyConfig config(String... extra) {
        return configOf(NODES, extra);
    }

    /** A health check that found a replica following the primary, {@code bytes} and {@code seconds} behind. */
    private static void following(NodeState n, long position, long bytes, double seconds) {
        n.checked(true, position, bytes, seconds);
    }

    // ------------------------------------------------------------------ eligibility

    @Test
    void nodesAreListedAsConfiguredAndOnlyThePrimaryStartsUp() {
        Topology topology = new Topology(config());

        assertThat(topology.nodes()).extracting(NodeState::name).containsExactly("p", "s", "r1", "r2");
        assertThat(topology.primary().name()).isEqualTo("p");
        assertThat(topology.node("r2").node().port()).isEqualTo(5435);
        assertThat(topology.node("nope")).isNull();
        assertThat(topology.hasReplicas()).isTrue();
        assertThat(topology.primary().isUp()).isTrue();
        assertThat(topology.node("r1").isUp()).isFalse();
        assertThat(topology.node("r1").checked()).isFalse();
        assertThat(topology.whyNoReads(topology.node("r1"), config())).isEqualTo("down: not checked yet");
    }

    @Test
    void aSingleNodeHasNoReplicas() {
        Topology topology = new Topology(configOf("  nodes:\n    - {name: only, port: 5432}\n"));

        assertThat(topology.hasReplicas()).isFalse();
        assertThat(topology.primary().name()).isEqualTo("only");
    }

    @Test
    void aReplicaFollowingThePrimaryWithinTheLagLimitsTakesReads() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");

        following(r1, 1000, 0, 0);

        assertThat(r1.isUp()).isTrue();
        assertThat(topology.whyNoReads(r1, config)).isNull();
    }

    @Test
    void aNodeThatFailsIsDownWithItsReasonUntilACheckPasses() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        following(r1, 1000, 0, 0);

        r1.markDown("connection refused");
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("down: connection refused");

        r1.checkFailed("health check failed: timeout");
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("down: health check failed: timeout");

        following(r1, 1000, 0, 0);
        assertThat(topology.whyNoReads(r1, config)).isNull();
    }

    @Test
    void aDrainingNodeTakesNoReadsUntilUndrained() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        following(r1, 1000, 0, 0);

        r1.draining(true);
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("draining");
        r1.markDown("gone");
        assertThat(topology.whyNoReads(r1, config)).as("draining is said first").isEqualTo("draining");

        r1.draining(false);
        following(r1, 1000, 0, 0);
        assertThat(topology.whyNoReads(r1, config)).isNull();
    }

    @Test
    void aNodeTheClusterKeepsOutTakesNoReadsUntilTakenBack() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        NodeState r2 = topology.node("r2");
        following(r1, 1000, 0, 0);
        following(r2, 1000, 0, 0);

        r1.keepOut("no member record in the DCS");
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("no member record in the DCS");
        for (int i = 0; i < 50; i++) {
            assertThat(topology.chooseReader(config, 0).node()).isNotSameAs(r1);
        }

        r1.keepOut(null);
        assertThat(topology.whyNoReads(r1, config)).isNull();
    }

    @Test
    void aNodeOfWeightZeroTakesNoReads() {
        ProxyConfig config = configOf("""
                  nodes:
                    - {name: p, port: 5432}
                    - {name: r1, port: 5434, weight: 0}
                """);
        Topology topology = new Topology(config);
        following(topology.node("r1"), 1000, 0, 0);

        assertThat(topology.whyNoReads(topology.node("r1"), config)).isEqualTo("weight 0");
        assertThat(topology.chooseReader(config, 0).node().name()).as("the primary takes the read instead").isEqualTo("p");
    }

    @Test
    void aStandbyTakesReadsOnlyWhileStandbyReadsIsOn() {
        ProxyConfig on = config();
        ProxyConfig off = config("routing: {standby_reads: false}");
        Topology topology = new Topology(on);
        NodeState s = topology.node("s");
        following(s, 1000, 0, 0);

        assertThat(topology.whyNoReads(s, on)).isNull();
        assertThat(topology.whyNoReads(s, off)).isEqualTo("standby_reads is off");
        following(topology.node("r1"), 1000, 0, 0);
        assertThat(topology.whyNoReads(topology.node("r1"), off)).as("replicas are not affected").isNull();
    }

    @Test
    void aReplicaNotInRecoveryIsNotFollowingThePrimary() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");

        r1.checked(false, 5000, 0, 0);

        assertThat(r1.isUp()).isTrue();
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("not in recovery: not following the primary");
    }

    @Test
    void aReplicaIsSkippedWhileLagBytesExceedTheLimit() {
        ProxyConfig config = config("routing: {max_replica_lag_bytes: 1000}");
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");

        following(r1, 1000, 1000, 0);
        assertThat(topology.whyNoReads(r1, config)).as("at the limit").isNull();

        following(r1, 1000, 1001, 0);
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("lag 1001 bytes > max_replica_lag_bytes 1000");

        ProxyConfig unlimited = config("routing: {max_replica_lag_bytes: 0}");
        following(r1, 1000, Long.MAX_VALUE, 0);
        assertThat(topology.whyNoReads(r1, unlimited)).as("0 turns the limit off").isNull();
    }

    @Test
    void aReplicaIsSkippedWhileLagSecondsExceedTheLimit() {
        ProxyConfig config = config("routing: {max_replica_lag: 2s}");
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");

        following(r1, 1000, 10, 2.0);
        assertThat(topology.whyNoReads(r1, config)).as("at the limit").isNull();

        following(r1, 1000, 10, 2.54);
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("lag 2.5 s > max_replica_lag 2.0 s");

        ProxyConfig unlimited = config("routing: {max_replica_lag: 0}");
        following(r1, 1000, 10, 3600);
        assertThat(topology.whyNoReads(r1, unlimited)).as("0 turns the limit off").isNull();
    }

    // ------------------------------------------------------------------ primary_reads

    @Test
    void thePrimaryIsJudgedAsAReaderOnlyWithPrimaryReadsAlways() {
        Topology topology = new Topology(config());
        NodeState p = topology.primary();

        assertThat(topology.whyNoReads(p, config("routing: {primary_reads: never}")))
                .isEqualTo("primary (reads only when no replica is eligible)");
        assertThat(topology.whyNoReads(p, config("routing: {primary_reads: fallback}")))
                .isEqualTo("primary (reads only when no replica is eligible)");
        assertThat(topology.whyNoReads(p, config("routing: {primary_reads: always}"))).isNull();
    }

    @Test
    void withPrimaryReadsNeverNoEligibleReplicaMeansNoReader() {
        ProxyConfig config = config("routing: {primary_reads: never}");
        Topology topology = new Topology(config);

        assertThat(topology.chooseReader(config, 0)).isNull();

        following(topology.node("r2"), 1000, 0, 0);
        assertThat(topology.chooseReader(config, 0)).isEqualTo(new Topology.ReadTarget(topology.node("r2"), false));
    }

    @Test
    void withPrimaryReadsFallbackThePrimaryTakesReadsOnlyWhenNoReplicaIsEligible() {
        ProxyConfig config = config("routing: {primary_reads: fallback}");
        Topology topology = new Topology(config);

        assertThat(topology.chooseReader(config, 0)).isEqualTo(new Topology.ReadTarget(topology.primary(), false));
        assertThat(topology.chooseReader(config, Long.MAX_VALUE))
                .as("the primary has every position; no catching up").isEqualTo(new Topology.ReadTarget(topology.primary(), false));

        following(topology.node("r1"), 1000, 0, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(topology.chooseReader(config, 0).node().name()).isEqualTo("r1");
        }
    }

    @Test
    void aFallbackPrimaryThatIsDownOrDrainingTakesNoReads() {
        ProxyConfig config = config("routing: {primary_reads: fallback}");
        Topology topology = new Topology(config);

        topology.primary().draining(true);
        assertThat(topology.chooseReader(config, 0)).isNull();

        topology.primary().draining(false);
        topology.primary().markDown("connection refused");
        assertThat(topology.chooseReader(config, 0)).isNull();
    }

    @Test
    void withPrimaryReadsAlwaysThePrimaryTakesItsShare() {
        ProxyConfig config = config("routing: {primary_reads: always}");
        Topology topology = new Topology(config);
        following(topology.node("r1"), 1000, 0, 0);

        Map<String, Integer> chosen = choose(topology, config, 0, 2000);

        assertThat(chosen).containsOnlyKeys("p", "r1");
        assertThat(chosen.get("p")).isBetween(800, 1200);
    }

    // ------------------------------------------------------------------ causal positions

    @Test
    void aReadThatMustSeeAPositionGoesOnlyToReplicasPastIt() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        following(topology.node("s"), 100, 0, 0);
        following(topology.node("r1"), 200, 0, 0);
        following(topology.node("r2"), 300, 0, 0);

        Map<String, Integer> chosen = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            Topology.ReadTarget t = topology.chooseReader(config, 200);
            assertThat(t.catchUp()).isFalse();
            chosen.merge(t.node().name(), 1, Integer::sum);
        }

        assertThat(chosen).containsOnlyKeys("r1", "r2");
    }

    @Test
    void whenNoReplicaIsPastThePositionTheFurthestIsChosenToCatchUp() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        following(topology.node("s"), 100, 0, 0);
        following(topology.node("r1"), 300, 0, 0);
        following(topology.node("r2"), 200, 0, 0);

        assertThat(topology.chooseReader(config, 301)).isEqualTo(new Topology.ReadTarget(topology.node("r1"), true));
    }

    @Test
    void withPrimaryReadsAlwaysReadsBehindAPositionStillSpreadAndReplicasAreAskedToCatchUp() {
        ProxyConfig config = config("routing: {primary_reads: always}");
        Topology topology = new Topology(config);
        following(topology.node("r1"), 300, 0, 0);

        Map<String, Integer> chosen = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            Topology.ReadTarget t = topology.chooseReader(config, 301);
            assertThat(t.catchUp()).as("only a replica is asked to catch up").isEqualTo(!t.node().isPrimary());
            chosen.merge(t.node().name(), 1, Integer::sum);
        }

        // The primary always qualifies, but it must not take every read just because no replica is known to be there yet.
        assertThat(chosen).containsOnlyKeys("p", "r1");
        assertThat(chosen.get("r1")).isBetween(800, 1200);
    }

    @Test
    void aPositionSeenBySessionRaisesTheReplicasKnownPosition() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        following(r1, 100, 0, 0);

        r1.observed(500);
        assertThat(topology.chooseReader(config, 500)).isEqualTo(new Topology.ReadTarget(r1, false));

        r1.observed(50);
        following(r1, 400, 0, 0);
        assertThat(r1.walPosition()).as("a replica's position never goes back").isEqualTo(500);
    }

    // ------------------------------------------------------------------ load

    @Test
    void theNodeWithTheLeastOutstandingWorkWins() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        NodeState r2 = topology.node("r2");
        following(r1, 1000, 0, 0);
        following(r2, 1000, 0, 0);

        r1.linked();
        r1.linked();
        r2.linked();
        assertThat(choose(topology, config, 0, 100)).containsOnlyKeys("r2");

        r1.finished();
        r1.finished();
        assertThat(r1.outstanding()).isZero();
        assertThat(choose(topology, config, 0, 100)).containsOnlyKeys("r1");
    }

    @Test
    void outstandingWorkIsMeasuredPerUnitOfWeight() {
        ProxyConfig config = configOf("""
                  nodes:
                    - {name: p, port: 5432}
                    - {name: heavy, port: 5434, weight: 4}
                    - {name: light, port: 5435, weight: 1}
                """);
        Topology topology = new Topology(config);
        NodeState heavy = topology.node("heavy");
        NodeState light = topology.node("light");
        following(heavy, 1000, 0, 0);
        following(light, 1000, 0, 0);
        for (int i = 0; i < 3; i++) {
            heavy.linked();
        }
        light.linked();

        assertThat(choose(topology, config, 0, 100)).as("3/4 beats 1/1").containsOnlyKeys("heavy");
    }

    @Test
    void equalLoadIsSpreadInProportionToWeight() {
        ProxyConfig config = configOf("""
                  nodes:
                    - {name: p, port: 5432}
                    - {name: light, port: 5434, weight: 1}
                    - {name: heavy, port: 5435, weight: 3}
                """);
        Topology topology = new Topology(config);
        following(topology.node("light"), 1000, 0, 0);
        following(topology.node("heavy"), 1000, 0, 0);

        Map<String, Integer> chosen = choose(topology, config, 0, 20_000);

        assertThat(chosen).containsOnlyKeys("light", "heavy");
        assertThat(chosen.get("light") / 20_000.0).isBetween(0.20, 0.30);
    }

    @Test
    void leastLoadedWithOneCandidateReturnsIt() {
        Topology topology = new Topology(config());

        assertThat(Topology.leastLoaded(List.of(topology.node("s")))).isSameAs(topology.node("s"));
    }

    // ------------------------------------------------------------------ reload

    @Test
    void theClustersDrainAndAnOperatorsAreKeptApart() {
        ProxyConfig config = config();
        Topology topology = new Topology(config);
        NodeState r1 = topology.node("r1");
        following(r1, 1000, 0, 0);
        assertThat(topology.whyNoReads(r1, config)).isNull();

        r1.drainedByCluster(true);
        assertThat(r1.draining()).isTrue();
        assertThat(r1.drainedByOperator()).isFalse();
        assertThat(topology.whyNoReads(r1, config)).isEqualTo(Topology.DRAINED_BY_CLUSTER);

        r1.draining(true);
        assertThat(topology.whyNoReads(r1, config)).as("the operator's DRAIN is said first").isEqualTo("draining");
        r1.drainedByCluster(false);
        assertThat(r1.draining()).as("the cluster's end of the drain leaves the operator's").isTrue();
        assertThat(topology.whyNoReads(r1, config)).isEqualTo("draining");

        r1.drainedByCluster(true);
        r1.draining(false);
        assertThat(r1.draining()).as("UNDRAIN leaves the cluster's").isTrue();
        r1.drainedByCluster(false);
        assertThat(r1.draining()).isFalse();
        assertThat(topology.whyNoReads(r1, config)).isNull();
    }

    @Test
    void aReloadKeepsWhatIsKnownOfUnchangedNodesAndStartsChangedOnesAfresh() {
        Topology topology = new Topology(config());
        NodeState r1 = topology.node("r1");
        NodeState r2 = topology.node("r2");
        NodeState s = topology.node("s");
        following(r1, 1000, 10, 0.5);
        r1.draining(true);
        r1.sent(true);
        r1.linked();
        following(r2, 1000, 0, 0);
        following(s, 1000, 0, 0);

        topology.update(configOf("""
                  nodes:
                    - {name: p, port: 5432}
                    - {name: s, port: 5433, role: replica}
                    - {name: r1, port: 5434, weight: 5}
                    - {name: r2, port: 6000}
                    - {name: r3, port: 5436}
                """));

        assertThat(topology.nodes()).extracting(NodeState::name).containsExactly("p", "s", "r1", "r2", "r3");
        assertThat(topology.node("r1")).as("same address and role: same state").isSameAs(r1);
        assertThat(r1.node().weight()).as("the new weight applies").isEqualTo(5);
        assertThat(r1.draining()).isTrue();
        assertThat(r1.reads()).isEqualTo(1);
        assertThat(r1.outstanding()).isEqualTo(1);
        assertThat(r1.lagBytes()).isEqualTo(10);
        assertThat(r1.isUp()).isTrue();
        assertThat(topology.node("r2")).as("a new port is a new server").isNotSameAs(r2);
        assertThat(topology.node("r2").isUp()).isFalse();
        assertThat(topology.node("s")).as("a new role starts afresh").isNotSameAs(s);
        assertThat(topology.node("r3").downReason()).isEqualTo("not checked yet");

        topology.update(configOf("  nodes:\n    - {name: p, port: 5432}\n    - {name: r1, port: 5434}\n"));
        assertThat(topology.nodes()).extracting(NodeState::name).containsExactly("p", "r1");
        assertThat(topology.node("r2")).isNull();
    }

    @Test
    void aNodeThatBecomesThePrimaryIsUpAtOnce() {
        Topology topology = new Topology(config());

        topology.update(configOf("""
                  nodes:
                    - {name: p, port: 5432, role: replica}
                    - {name: r1, port: 5434, role: primary}
                """));

        assertThat(topology.primary().name()).isEqualTo("r1");
        assertThat(topology.primary().isUp()).isTrue();
        assertThat(topology.node("p").isUp()).isFalse();
    }

    private static Map<String, Integer> choose(Topology topology, ProxyConfig config, long minPosition, int times) {
        Map<String, Integer> chosen = new HashMap<>();
        for (int i = 0; i < times; i++) {
            chosen.merge(topology.chooseReader(config, minPosition).node().name(), 1, Integer::sum);
        }
        return chosen;
    }
}
