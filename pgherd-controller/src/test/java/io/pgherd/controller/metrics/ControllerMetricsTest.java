package io.pgherd.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.controller.metrics.ControllerStatus.Replicas;
import io.pgherd.controller.metrics.ControllerStatus.TypeState;

/** The controller's metrics text from a status, and the status's counts from a snapshot: no server, no DCS. */
class ControllerMetricsTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final String L = "{cluster=\"pgherd\",controller=\"c1\"";

    @Test
    void anActingControllerShowsItsEpochTheReplicasTheTasksAndItsOutcomes() {
        TreeMap<TypeState, Integer> tasks = new TreeMap<>(Map.of(new TypeState("add_replica", "succeeded"), 3,
                new TypeState("add_replica", "running"), 1, new TypeState("remove_replica", "failed"), 1));
        TreeMap<TypeState, Long> outcomes = new TreeMap<>(Map.of(new TypeState("add_replica", "succeeded"), 2L,
                new TypeState("remove_replica", "failed"), 1L, new TypeState("fire_schedule", "succeeded"), 5L,
                new TypeState("fire_schedule", "failed"), 1L));
        ControllerStatus status = new ControllerStatus("c1", "pgherd", true, OptionalLong.of(42), NOW - 60_000, NOW - 1500,
                Optional.of(new Replicas(OptionalInt.of(4), 2, 1, 1)), tasks, outcomes, 7);

        String text = ControllerMetrics.render(status, NOW);

        assertThat(text.lines()).contains(
                "# TYPE pgherd_controller_acting gauge",
                "pgherd_controller_acting" + L + "} 1",
                "pgherd_controller_epoch" + L + "} 42",
                "pgherd_controller_acting_since_timestamp_seconds" + L + "} 1699999940",
                "pgherd_controller_last_cycle_age_seconds" + L + "} 1.500",
                "pgherd_controller_read_replicas_desired" + L + "} 4",
                "pgherd_controller_read_replicas_running" + L + "} 2",
                "pgherd_controller_spares" + L + "} 1",
                "pgherd_controller_draining" + L + "} 1",
                "# TYPE pgherd_controller_tasks gauge",
                "pgherd_controller_tasks" + L + ",type=\"add_replica\",state=\"running\"} 1",
                "pgherd_controller_tasks" + L + ",type=\"add_replica\",state=\"succeeded\"} 3",
                "pgherd_controller_tasks" + L + ",type=\"remove_replica\",state=\"failed\"} 1",
                "# TYPE pgherd_controller_task_outcomes_total counter",
                "pgherd_controller_task_outcomes_total" + L + ",type=\"add_replica\",outcome=\"succeeded\"} 2",
                "pgherd_controller_task_outcomes_total" + L + ",type=\"remove_replica\",outcome=\"failed\"} 1",
                "pgherd_controller_tasks_pruned_total" + L + "} 7",
                "# TYPE pgherd_controller_schedules_fired_total counter",
                "pgherd_controller_schedules_fired_total" + L + "} 5");
        assertThat(text).endsWith("\n");
        // Every sample follows its metric's HELP and TYPE lines.
        for (String sample : text.lines().filter(l -> !l.startsWith("#")).toList()) {
            String name = sample.substring(0, sample.indexOf('{'));
            assertThat(text).contains("# HELP " + name + " ").contains("# TYPE " + name + " ");
        }
    }

    @Test
    void aStandbyAnswersThatItDoesNotActAndLeavesOutWhatItDidNotRead() {
        ControllerStatus status = new ControllerStatus("c1", "pgherd", false, OptionalLong.of(42), 0, NOW - 200,
                Optional.empty(), new TreeMap<>(), new TreeMap<>(), 0);

        String text = ControllerMetrics.render(status, NOW);

        assertThat(text.lines()).contains("pgherd_controller_acting" + L + "} 0", "pgherd_controller_epoch" + L + "} 42",
                "pgherd_controller_acting_since_timestamp_seconds" + L + "} 0",
                "pgherd_controller_last_cycle_age_seconds" + L + "} 0.200",
                "pgherd_controller_tasks_pruned_total" + L + "} 0",
                "pgherd_controller_schedules_fired_total" + L + "} 0");
        assertThat(text).doesNotContain("pgherd_controller_read_replicas", "pgherd_controller_spares",
                "pgherd_controller_tasks{").contains("# TYPE pgherd_controller_task_outcomes_total counter");
    }

    @Test
    void beforeItsFirstCycleItShowsNoEpochAndNoCycleAge() {
        String text = ControllerMetrics.render(ControllerStatus.starting("c1", "pgherd"), NOW);

        assertThat(text.lines()).contains("pgherd_controller_acting" + L + "} 0");
        assertThat(text).doesNotContain("pgherd_controller_epoch", "pgherd_controller_last_cycle_age_seconds");
    }

    @Test
    void withoutASpecTheDesiredCountIsLeftOut() {
        ControllerStatus status = new ControllerStatus("c1", "pgherd", true, OptionalLong.of(1), NOW, NOW,
                Optional.of(new Replicas(OptionalInt.empty(), 0, 0, 0)), new TreeMap<>(), new TreeMap<>(), 0);

        assertThat(ControllerMetrics.render(status, NOW)).doesNotContain("pgherd_controller_read_replicas_desired")
                .contains("pgherd_controller_read_replicas_running" + L + "} 0");
    }

    @Test
    void labelValuesAreEscaped() {
        ControllerStatus status = new ControllerStatus("c\"1", "a\\b", false, OptionalLong.empty(), 0, 0, Optional.empty(),
                new TreeMap<>(), new TreeMap<>(), 0);

        assertThat(ControllerMetrics.render(status, NOW)).contains("pgherd_controller_acting{cluster=\"a\\\\b\",controller=\"c\\\"1\"} 0");
    }

    @Test
    void theReplicasAreCountedAsPgherdListCountsThem() {
        TreeMap<String, Member> members = new TreeMap<>();
        for (Member m : List.of(member("node1", "replica", true, false, false), member("node2", "replica", true, false, false),
                member("node3", "replica", true, true, false), member("node4", "replica", false, true, false),
                member("node5", "replica", true, true, true), member("s1", "spare", true, true, false),
                member("node6", "replica", true, true, false))) {
            members.put(m.name(), m);
        }
        TreeMap<String, Assignment> assignments = new TreeMap<>(Map.of("node6",
                Assignment.of("node6", Assignment.Role.REPLICA, true, "t-1", 3)));
        ClusterSnapshot snapshot = new ClusterSnapshot(Optional.of(new Leader("node1", 7, 7)), members, Optional.of("node1"),
                Optional.empty(), Optional.empty(), 0, Optional.empty(),
                new ClusterConfig(JsonNodeFactory.instance.objectNode(), Optional.of(1L)), History.EMPTY, new TreeMap<>(),
                Optional.of(new Spec(Spec.FORMAT, 3, null)), new TreeMap<>(), Optional.empty(), assignments);

        // node2 may fail over (the standby), node4 is stopped, s1 is a spare; node5 and node6 drain but still run.
        assertThat(Replicas.of(snapshot)).isEqualTo(new Replicas(OptionalInt.of(3), 3, 1, 2));
    }

    @Test
    void theTasksAreCountedByTypeAndState() {
        Task a = Task.pending("a", "add_replica", List.of("s"), Map.of(), NOW);
        Task b = Task.pending("b", "add_replica", List.of("s"), Map.of(), NOW).withState(Task.State.SUCCEEDED, NOW);
        Task c = Task.pending("c", "add_replica", List.of("s"), Map.of(), NOW).withState(Task.State.SUCCEEDED, NOW);
        Task d = Task.pending("d", "backup", List.of("s"), Map.of(), NOW);

        assertThat(ControllerStatus.count(Map.of("a", a, "b", b, "c", c, "d", d))).containsExactly(
                Map.entry(new TypeState("add_replica", "pending"), 1), Map.entry(new TypeState("add_replica", "succeeded"), 2),
                Map.entry(new TypeState("backup", "pending"), 1));
    }

    private static Member member(String name, String role, boolean running, boolean noFailover, boolean draining) {
        return new Member(name, role, running ? "running" : "stopped", "127.0.0.1", 5432, null, running, true, 1, 0, 0,
                noFailover, 0, "node1", false, List.of(), false, false, draining);
    }
}
