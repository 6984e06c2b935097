package io.pgherd.controller.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The steps of {@code remove_replica} on a {@link World} holding the read replica node5 (streaming) and
 * node3: in order they drain and remove node5 only; run again after a death in any step they end the same;
 * rolled back before its data is gone, node5 serves again.
 */
class RemoveReplicaTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void theStepsInOrderDrainAndRemoveTheMemberOnly() {
        World world = world();
        List<String> sentences = RemoveReplica.steps().stream().map(step -> run(world, step)).toList();

        assertThat(sentences).containsExactly("marked node5 draining", "no proxy runs a read on node5",
                "stopped the agent of node5", "dropped the replication slot of node5", "released node5");
        assertThat(world.state()).isEqualTo("provisioned [node3], running [node3], slots [node3], marks {}, assignments {}");
    }

    @Test
    void runningEveryStepTwiceLeavesWhatOneRunLeaves() {
        World once = world();
        RemoveReplica.steps().forEach(step -> run(once, step));
        World twice = world();
        for (ReplicaStep step : RemoveReplica.steps()) {
            ReplicaContext c = twice.context("node5", T0, T0);
            assertThat(step.run(c)).isEqualTo(step.run(c));
        }

        assertThat(twice.state()).isEqualTo(once.state());
    }

    @Test
    void aTakeoverAfterADeathInAnyStepResumesFromThatStepToTheSameEnd() {
        World reference = world();
        RemoveReplica.steps().forEach(step -> run(reference, step));
        List<ReplicaStep> steps = RemoveReplica.steps();
        for (int died = 0; died < steps.size(); died++) {
            World world = world();
            for (int i = 0; i <= died; i++) {
                run(world, steps.get(i));
            }
            assertThat(steps.get(died).resumes()).isTrue();
            for (int i = died; i < steps.size(); i++) {
                run(world, steps.get(i));
            }
            assertThat(world.state()).as("died in step %d", died).isEqualTo(reference.state());
        }
    }

    @Test
    void rolledBackBeforeItsDataIsGoneTheMemberServesAgain() {
        World world = world();
        List<ReplicaStep> steps = RemoveReplica.steps();
        for (int i = 0; i < 3; i++) {
            run(world, steps.get(i));
        }
        for (int twice = 0; twice < 2; twice++) {
            for (int i = 2; i >= 0; i--) {
                steps.get(i).undo(world.context("node5", T0, T0));
            }
        }

        assertThat(world.state()).isEqualTo("provisioned [node3, node5], running [node3, node5], slots [node3, node5],"
                + " marks {node5=false}, assignments {}");
        assertThat(world.snapshot().members().get("node5").draining()).isFalse();
    }

    @Test
    void theDrainWaitsForTheAgentThenEveryProxy() {
        World world = world();
        world.agentsPublish = false;
        world.marks.put("node5", true);
        RemoveReplica.WaitDrained wait = new RemoveReplica.WaitDrained();
        ReplicaContext c = world.context("node5", T0, T0 + 1_000);

        assertThat(wait.run(c)).isEqualTo(new StepResult.NotYet("node5 is draining: its agent does not publish draining"
                + " yet"));
        world.agentsPublish = true;
        world.proxyReads.add(new Drains.ProxyReads("proxy1", true, 2));
        world.proxyReads.add(new Drains.ProxyReads("proxy2", false, 0));
        assertThat(wait.run(c).sentence()).isEqualTo("node5 is draining: proxy2 does not report the reads it runs");
        world.proxyReads.set(1, new Drains.ProxyReads("proxy2", true, 1));
        assertThat(wait.run(c).sentence()).isEqualTo("node5 is draining: 3 reads still run there (proxy1: 2, proxy2: 1)");
        world.proxyReads.set(0, new Drains.ProxyReads("proxy1", true, 0));
        world.proxyReads.set(1, new Drains.ProxyReads("proxy2", true, 0));
        assertThat(wait.run(c)).isEqualTo(new StepResult.Done("no proxy runs a read on node5"));
    }

    @Test
    void aMemberWhoseAgentIsGoneNeedsNoDrainingRecord() {
        World world = world();
        world.running.remove("node5");

        assertThat(new RemoveReplica.WaitDrained().run(world.context("node5", T0, T0))).isInstanceOf(StepResult.Done.class);
    }

    @Test
    void theDrainFailsAfterItsTimeoutSayingWhy() {
        World world = world();
        world.marks.put("node5", true);
        world.proxyReads.add(new Drains.ProxyReads("proxy1", true, 1));
        RemoveReplica.WaitDrained wait = new RemoveReplica.WaitDrained();

        assertThat(wait.run(world.context("node5", T0, T0 + 299_999))).isInstanceOf(StepResult.NotYet.class);
        assertThatThrownBy(() -> wait.run(world.context("node5", T0, T0 + 300_000))).isInstanceOf(StepFailure.class)
                .hasMessage("node5 did not drain in 300 s: 1 reads still run there (proxy1: 1)");
    }

    /** node3 and node5 run as streaming read replicas, each with its slot. */
    private static World world() {
        World world = new World().caughtUp("node3").caughtUp("node5");
        world.provisioned.addAll(List.of("node3", "node5"));
        world.running.addAll(List.of("node3", "node5"));
        return world;
    }

    private static String run(World world, ReplicaStep step) {
        StepResult result = step.run(world.context("node5", T0, T0));
        assertThat(result).isInstanceOf(StepResult.Done.class);
        return result.sentence();
    }
}
