package io.pgherd.controller.replicas;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;

/**
 * A small cluster in memory for the replica steps' tests: what a provisioner made and runs, the primary's
 * slots and WAL senders, the draining marks and the proxies' reads, and the member records the agents
 * would publish from them (an agent that runs publishes its record; a marked member's agent publishes
 * draining once {@link #agentsPublish} says so). Every operation is idempotent as the real ones must be;
 * {@link #calls} counts what the steps asked for.
 */
final class World implements Provisioner, ReplicaCluster, Drains {
    static final long POS = 50_000_000L;

    final TreeSet<String> provisioned = new TreeSet<>();
    final TreeSet<String> running = new TreeSet<>();
    final TreeSet<String> slots = new TreeSet<>();
    final TreeMap<String, Boolean> marks = new TreeMap<>();
    /** What a member's assignment says of its readiness and source: {@code not ready, from node2}. */
    final TreeMap<String, String> assignments = new TreeMap<>();
    /** What the assignment said when the member's agent started ({@code none} when there was none). */
    final TreeMap<String, String> assignmentAtStart = new TreeMap<>();
    final Map<String, Long> replayed = new HashMap<>();
    final Map<String, String> senders = new HashMap<>();
    final List<ProxyReads> proxyReads = new ArrayList<>();
    final Map<String, Integer> calls = new TreeMap<>();
    final Map<String, String> lost = new HashMap<>();
    boolean agentsPublish = true;
    boolean noFailover = true;
    boolean leader = true;

    /** Runs {@code member} as a read replica caught up and streaming (what its agent does once started). */
    World caughtUp(String member) {
        replayed.put(member, POS);
        senders.put(member, "streaming");
        slots.add(member);
        return this;
    }

    @Override
    public Placement provision(String name, String cloneFrom) {
        count("provision");
        provisioned.add(name);
        return new Placement(name, "127.0.0.1", 20000 + provisioned.headSet(name).size(), "/tmp/c/" + name);
    }

    @Override
    public void start(String name) {
        count("start");
        if (!provisioned.contains(name)) {
            throw new StepFailure(name + " is not provisioned");
        }
        running.add(name);
        assignmentAtStart.put(name, assignments.getOrDefault(name, "none"));
    }

    @Override
    public void stop(String name) {
        count("stop");
        running.remove(name);
    }

    @Override
    public void release(String name) {
        count("release");
        running.remove(name);
        provisioned.remove(name);
    }

    @Override
    public Optional<String> lost(String name) {
        return Optional.ofNullable(lost.get(name));
    }

    @Override
    public List<String> list() {
        return List.copyOf(provisioned);
    }

    @Override
    public ClusterSnapshot snapshot() {
        TreeMap<String, Member> members = new TreeMap<>();
        members.put("node1", new Member("node1", "primary", "running", "127.0.0.1", 5432, null, true, false, 1, POS, POS,
                false, 0, null));
        for (String name : running) {
            long r = replayed.getOrDefault(name, 0L);
            boolean draining = agentsPublish && marks.getOrDefault(name, false);
            members.put(name, new Member(name, "replica", "streaming", "127.0.0.1", 6000, null, true, true, 1, r, r,
                    noFailover, 0, "node1", false, List.of(), false, false, draining));
        }
        return new ClusterSnapshot(leader ? Optional.of(new Leader("node1", 3, 3)) : Optional.empty(), members,
                Optional.of("node1"), Optional.empty(), Optional.empty(), 0, Optional.empty(),
                new ClusterConfig(JsonNodeFactory.instance.objectNode(), Optional.empty()), History.EMPTY, new TreeMap<>(),
                Optional.empty(), new TreeMap<>(), Optional.empty());
    }

    @Override
    public Optional<String> replicationState(String member) {
        return running.contains(member) ? Optional.ofNullable(senders.get(member)) : Optional.empty();
    }

    @Override
    public void dropSlot(String member) {
        count("dropSlot");
        slots.remove(member);
    }

    @Override
    public void announce(String member, String cloneFrom) {
        count("announce");
        assignments.putIfAbsent(member, "not ready, from " + cloneFrom);
    }

    @Override
    public void ready(String member) {
        count("ready");
        assignments.computeIfPresent(member, (m, a) -> a.replace("not ready", "ready"));
    }

    @Override
    public void mark(String member, boolean draining) {
        count("mark");
        marks.put(member, draining);
    }

    @Override
    public void forget(String member) {
        count("forget");
        marks.remove(member);
        assignments.remove(member);
    }

    @Override
    public List<ProxyReads> reads(String member) {
        return List.copyOf(proxyReads);
    }

    /** A context for a task on {@code member}, its current step started at {@code started}, now {@code now}. */
    ReplicaContext context(String member, long started, long now) {
        return new ReplicaContext("t1", Map.of(ReplicaTask.MEMBER, member, ReplicaContext.CLONE_FROM, "node2"), started, now,
                this, this, this, new ReplicaContext.Limits(1_000_000, 600_000, 300_000));
    }

    /** Everything a test compares before and after running again: what exists, runs, is marked and assigned. */
    String state() {
        return "provisioned " + provisioned + ", running " + running + ", slots " + slots + ", marks " + marks
                + ", assignments " + assignments;
    }

    private void count(String call) {
        calls.merge(call, 1, Integer::sum);
    }
}
