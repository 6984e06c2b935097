package io.pgherd.controller.metrics;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;

/**
 * What one controller saw in its last cycle, for its metrics. Immutable.
 *
 * @param name the controller's name
 * @param cluster the cluster's name
 * @param acting whether it acted in its last cycle (held the lease in the current epoch)
 * @param epoch the current controller epoch as it last read it; empty before any controller acted or before it read one
 * @param actingSinceMillis when it took the lease, epoch ms; 0 while it does not act
 * @param lastCycleMillis when its last cycle ended, epoch ms; 0 before the first
 * @param replicas the read replicas as the DCS showed them in its last cycle; empty for a standby (it reads no more
 *                 than the lease)
 * @param tasks the tasks in the DCS by type and state, as read in its last cycle while acting (a standby shows none)
 * @param outcomes the tasks this controller finished since it started, by type and outcome
 *                 ({@code succeeded}, {@code failed}, {@code cancelled})
 * @param pruned how many finished tasks it deleted since it started
 */
public record ControllerStatus(String name, String cluster, boolean acting, OptionalLong epoch, long actingSinceMillis,
                               long lastCycleMillis, Optional<Replicas> replicas, SortedMap<TypeState, Integer> tasks,
                               SortedMap<TypeState, Long> outcomes, long pruned) {

    public ControllerStatus {
        tasks = new TreeMap<>(tasks);
        outcomes = new TreeMap<>(outcomes);
    }

    /** The status of a controller that has not run a cycle yet. */
    public static ControllerStatus starting(String name, String cluster) {
        return new ControllerStatus(name, cluster, false, OptionalLong.empty(), 0, 0, Optional.empty(), new TreeMap<>(),
                new TreeMap<>(), 0);
    }

    /** A task type with a state (or an outcome), the labels of the task metrics; sorted by type, then state. */
    public record TypeState(String type, String state) implements Comparable<TypeState> {
        @Override
        public int compareTo(TypeState o) {
            int byType = type.compareTo(o.type);
            return byType != 0 ? byType : state.compareTo(o.state);
        }
    }

    /**
     * The read replicas as counted for {@code pgherd list}: the members tagged nofailover, not spares, not the leader,
     * whose PostgreSQL runs; the spares ({@code role: spare}); the members whose record or assignment says draining.
     *
     * @param desired {@code spec.read_replicas}; empty when no spec is set
     */
    public record Replicas(OptionalInt desired, int running, int spares, int draining) {

        /** Counts them in a snapshot. Pure. */
        public static Replicas of(ClusterSnapshot snapshot) {
            Optional<String> leader = snapshot.leader().map(Leader::member);
            int running = 0;
            int spares = 0;
            Set<String> draining = new TreeSet<>();
            for (Member m : snapshot.members().values()) {
                if (m.draining()) {
                    draining.add(m.name());
                }
                if (leader.equals(Optional.of(m.name()))) {
                    continue;
                }
                if ("spare".equals(m.role())) {
                    spares++;
                } else if (m.noFailover() && m.running()) {
                    running++;
                }
            }
            for (Assignment a : snapshot.assignments().values()) {
                if (a.draining()) {
                    draining.add(a.member());
                }
            }
            OptionalInt desired = snapshot.spec().map(Spec::readReplicas).map(OptionalInt::of).orElse(OptionalInt.empty());
            return new Replicas(desired, running, spares, draining.size());
        }
    }

    /** The tasks of a snapshot counted by type and state. Pure. */
    public static SortedMap<TypeState, Integer> count(Map<String, Task> tasks) {
        SortedMap<TypeState, Integer> counts = new TreeMap<>();
        for (Task t : tasks.values()) {
            counts.merge(new TypeState(t.type(), t.state().label()), 1, Integer::sum);
        }
        return counts;
    }
}
