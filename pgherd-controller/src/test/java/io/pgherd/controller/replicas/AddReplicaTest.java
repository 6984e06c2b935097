package io.pgherd.controller.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The steps of {@code add_replica} on a {@link World}: in order they make a read replica that streams; run
 * again (a controller that took over after the previous one died in the middle of any step), they leave
 * the world as one run does; rolled back, twice, nothing is left.
 */
class AddReplicaTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void theStepsInOrderMakeAStreamingReadReplica() {
        World world = new World();
        List<String> sentences = runAll(world, "node5");

        assertThat(sentences).containsExactly("provisioned node5 (/tmp/c/node5, port 20000), to clone from node2",
                "started the agent of node5", "node5 streams within the lag limit: it takes reads");
        assertThat(world.state()).isEqualTo("provisioned [node5], running [node5], slots [node5], marks {},"
                + " assignments {node5=ready, from node2}");
        assertThat(world.assignmentAtStart).as("the proxies learn it takes no reads before its agent runs")
                .containsExactly(Map.entry("node5", "not ready, from node2"));
    }

    @Test
    void runningEveryStepTwiceLeavesWhatOneRunLeaves() {
        World once = new World();
        runAll(once, "node5");
        World twice = new World();
        for (ReplicaStep step : AddReplica.steps()) {
            ReplicaContext c = twice.context("node5", T0, T0);
            if (step instanceof AddReplica.WaitStreaming) {
                twice.caughtUp("node5");
            }
            assertThat(step.run(c)).isEqualTo(step.run(c));
        }

        assertThat(twice.state()).isEqualTo(once.state());
    }

    @Test
    void aTakeoverAfterADeathInAnyStepResumesFromThatStepToTheSameEnd() {
        World reference = new World();
        runAll(reference, "node5");
        for (int died = 0; died < AddReplica.steps().size(); died++) {
            World world = new World();
            // The first controller ran the steps before 'died' and that one, but died before recording it done.
            for (int i = 0; i <= died; i++) {
                runStep(world, AddReplica.steps().get(i), "node5");
            }
            assertThat(AddReplica.steps().get(died).resumes()).isTrue();
            for (int i = died; i < AddReplica.steps().size(); i++) {
                runStep(world, AddReplica.steps().get(i), "node5");
            }
            assertThat(world.state()).as("died in step %d", died).isEqualTo(reference.state());
        }
    }

    @Test
    void rollingBackTwiceLeavesNothing() {
        World world = new World();
        runAll(world, "node5");
        rollBack(world, "node5");
        rollBack(world, "node5");

        assertThat(world.state()).isEqualTo("provisioned [], running [], slots [], marks {}, assignments {}");
    }

    @Test
    void rollingBackATaskThatDidNothingDoesNoHarm() {
        World world = new World();
        world.provisioned.add("node3");
        world.running.add("node3");
        rollBack(world, "node5");

        assertThat(world.state()).isEqualTo("provisioned [node3], running [node3], slots [], marks {}, assignments {}");
    }

    @Test
    void theWaitSaysWhatItWaitsFor() {
        World world = new World();
        AddReplica.WaitStreaming wait = new AddReplica.WaitStreaming();
        ReplicaContext c = world.context("node5", T0, T0 + 1_000);
        world.provisioned.add("node5");

        assertThat(wait.run(c)).isEqualTo(new StepResult.NotYet("node5 does not stream within the lag limit yet: its agent"
                + " has published no member record yet"));
        world.running.add("node5");
        world.replayed.put("node5", World.POS - 1_000_001);
        assertThat(wait.run(c).sentence()).endsWith(": replayed 1000001 bytes behind the leader, more than 1000000");
        world.replayed.put("node5", World.POS - 1_000_000);
        assertThat(wait.run(c).sentence()).endsWith(": the leader node1's pg_stat_replication does not show it");
        world.senders.put("node5", "catchup");
        assertThat(wait.run(c).sentence()).endsWith(": the leader node1's pg_stat_replication shows it catchup");
        world.senders.put("node5", "streaming");
        assertThat(wait.run(c)).isEqualTo(new StepResult.Done("node5 streams within the lag limit: it takes reads"));
        world.leader = false;
        assertThat(wait.run(c).sentence()).endsWith(": the cluster has no leader");
    }

    @Test
    void theNewReplicaIsNotReadyUntilItStreamsWithinTheLagLimit() {
        World world = new World();
        runStep(world, new AddReplica.Provision(), "node5");
        runStep(world, new AddReplica.StartAgent(), "node5");
        assertThat(world.assignments).containsExactly(Map.entry("node5", "not ready, from node2"));

        world.replayed.put("node5", World.POS - 1_000_001);
        world.senders.put("node5", "streaming");
        AddReplica.WaitStreaming wait = new AddReplica.WaitStreaming();
        assertThat(wait.run(world.context("node5", T0, T0 + 1_000))).isInstanceOf(StepResult.NotYet.class);
        assertThat(world.assignments).containsExactly(Map.entry("node5", "not ready, from node2"));
        world.replayed.put("node5", World.POS);
        assertThat(wait.run(world.context("node5", T0, T0 + 2_000))).isInstanceOf(StepResult.Done.class);
        assertThat(world.assignments).containsExactly(Map.entry("node5", "ready, from node2"));
    }

    @Test
    void aFailedWaitLeavesTheReplicaNotReadyAndTheRollbackForgetsIt() {
        World world = new World();
        runStep(world, new AddReplica.Provision(), "node5");
        runStep(world, new AddReplica.StartAgent(), "node5");
        assertThatThrownBy(() -> new AddReplica.WaitStreaming().run(world.context("node5", T0, T0 + 600_000)))
                .isInstanceOf(StepFailure.class);
        assertThat(world.assignments).containsExactly(Map.entry("node5", "not ready, from node2"));

        rollBack(world, "node5");
        assertThat(world.state()).isEqualTo("provisioned [], running [], slots [], marks {}, assignments {}");
    }

    @Test
    void theWaitFailsAfterItsTimeoutSayingWhy() {
        World world = new World();
        world.provisioned.add("node5");
        world.running.add("node5");
        AddReplica.WaitStreaming wait = new AddReplica.WaitStreaming();

        assertThat(wait.run(world.context("node5", T0, T0 + 599_999))).isInstanceOf(StepResult.NotYet.class);
        assertThatThrownBy(() -> wait.run(world.context("node5", T0, T0 + 600_000))).isInstanceOf(StepFailure.class)
                .hasMessage("node5 did not stream within the lag limit in 600 s: replayed 50000000 bytes behind the"
                        + " leader, more than 1000000");
    }

    @Test
    void aMemberItsProvisionerLostFailsTheWaitAtOnce() {
        World world = new World();
        world.provisioned.add("node5");
        world.running.add("node5");
        world.lost.put("node5", "its host died");

        assertThatThrownBy(() -> new AddReplica.WaitStreaming().run(world.context("node5", T0, T0)))
                .isInstanceOf(StepFailure.class).hasMessage("node5 cannot stream: its host died");
    }

    @Test
    void aMemberThatCouldTakeOverFailsTheTask() {
        World world = new World().caughtUp("node5");
        world.provisioned.add("node5");
        world.running.add("node5");
        world.noFailover = false;

        assertThatThrownBy(() -> new AddReplica.WaitStreaming().run(world.context("node5", T0, T0)))
                .isInstanceOf(StepFailure.class).hasMessage("node5 is not tagged nofailover: it is no read replica (its"
                        + " agent must have role replica)");
    }

    @Test
    void aTaskWithoutItsMemberFailsClearly() {
        ReplicaContext c = new ReplicaContext("t9", Map.of(), T0, T0, new World(), new World(), new World(),
                new ReplicaContext.Limits(1, 1, 1));

        assertThatThrownBy(() -> new AddReplica.Provision().run(c)).hasMessage("task t9 names no member (parameter member)");
    }

    @Test
    void theTaskParametersCarryTheDecision() {
        assertThat(AddReplica.parameters(new ReplicaAction.Add("node5", "local", "node2", "why")))
                .isEqualTo(Map.of("member", "node5", "clone_from", "node2", "provisioner", "local"));
    }

    private static List<String> runAll(World world, String member) {
        return AddReplica.steps().stream().map(step -> runStep(world, step, member)).toList();
    }

    /** Runs {@code step}; the wait finds the member caught up (as its agent makes it, once started). */
    private static String runStep(World world, ReplicaStep step, String member) {
        if (step instanceof AddReplica.WaitStreaming) {
            world.caughtUp(member);
        }
        StepResult result = step.run(world.context(member, T0, T0));
        assertThat(result).isInstanceOf(StepResult.Done.class);
        return result.sentence();
    }

    private static void rollBack(World world, String member) {
        List<ReplicaStep> steps = AddReplica.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).undo(world.context(member, T0, T0));
        }
    }
}
