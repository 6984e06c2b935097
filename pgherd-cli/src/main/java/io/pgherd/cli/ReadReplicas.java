package io.pgherd.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;

/**
 * The read replicas as the DCS shows them, for {@code pgherd list} and {@code status}: how many the {@code spec}
 * asks for, which run, which spares wait for an assignment, which members drain. Pure.
 *
 * @param desired {@code spec.read_replicas}; empty when no spec is set
 * @param running the read replicas (members tagged nofailover, not spares, not the leader) whose PostgreSQL runs,
 *                sorted
 * @param spares the spare agents ({@code agent.role: spare}) waiting for an assignment, sorted
 * @param draining the members that take no new reads: their record or their assignment says draining, sorted
 */
record ReadReplicas(Optional<Integer> desired, List<String> running, List<String> spares, List<String> draining) {
    /** The role a spare publishes in its member record (the agent's {@code SpareRules.SPARE_ROLE}). */
    static final String SPARE = "spare";

    static ReadReplicas of(ClusterSnapshot cluster) {
        Optional<String> leader = cluster.leader().map(Leader::member);
        List<String> running = new ArrayList<>();
        List<String> spares = new ArrayList<>();
        Set<String> draining = new java.util.TreeSet<>();
        for (Member m : cluster.members().values()) {
            if (leader.equals(Optional.of(m.name()))) {
                continue;
            }
            if (SPARE.equals(m.role())) {
                spares.add(m.name());
            } else if (m.noFailover() && m.running()) {
                running.add(m.name());
            }
            if (m.draining()) {
                draining.add(m.name());
            }
        }
        for (Assignment a : cluster.assignments().values()) {
            if (a.draining()) {
                draining.add(a.member());
            }
        }
        return new ReadReplicas(cluster.spec().map(Spec::readReplicas), List.copyOf(running), List.copyOf(spares),
                List.copyOf(draining));
    }

    /**
     * One line: {@code read replicas: 2 running, 3 desired; spares: s1, s2; draining: r2}; empty when there is
     * nothing to say (no spec, no read replica, no spare, nothing draining).
     */
    Optional<String> line() {
        if (desired.isEmpty() && running.isEmpty() && spares.isEmpty() && draining.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder("read replicas: ").append(running.size()).append(" running, ")
                .append(desired.map(d -> d + " desired").orElse("no desired count set ('pgherd scale --replicas N')"));
        if (!spares.isEmpty()) {
            out.append("; spares: ").append(String.join(", ", spares));
        }
        if (!draining.isEmpty()) {
            out.append("; draining: ").append(String.join(", ", draining));
        }
        return Optional.of(out.toString());
    }
}
