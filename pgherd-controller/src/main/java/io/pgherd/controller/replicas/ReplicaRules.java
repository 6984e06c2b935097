package io.pgherd.controller.replicas;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;

/**
 * The read-replica rules (DESIGN.md §5, issue 15) as one pure function from the spec, what the DCS shows,
 * the replica tasks and the time to the one thing the controller does now, with one sentence saying why.
 * No I/O: every rule is a unit test ({@code ReplicaRulesTest}).
 *
 * <p>Words as the rules use them: a <b>read replica</b> is a member tagged nofailover that is not the
 * leader, not a spare and not draining; a <b>spare</b> is a member whose role is {@value #SPARE_ROLE} and
 * that no replica task made a replica; a member is <b>managed</b> when a succeeded {@code add_replica} task
 * created it and no succeeded {@code remove_replica} task removed it since. Only managed members are ever
 * removed, so the standby and every member the user made stay.
 */
public final class ReplicaRules {
    /** The role of an agent that waits, without data, to be assigned as a read replica. */
    public static final String SPARE_ROLE = "spare";
    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

    private final Policy policy;

    public ReplicaRules(Policy policy) {
        this.policy = policy;
    }

    public Policy policy() {
        return policy;
    }

    /**
     * The controller's settings the rules read.
     *
     * @param provisioner {@value Provisioner#LOCAL} (a new member named {@code <namePrefix><n>}) or
     *                    {@value Provisioner#SPARE} (a spare becomes the replica, under its own name)
     * @param maxLagBytes a read replica further behind the leader's WAL than this is not yet streaming
     *                    within the lag limit (the proxies' {@code max_replica_lag_bytes})
     * @param retryAfterMillis how long a spare whose {@code add_replica} task failed is not chosen again
     * @param namePrefix the names of new local members, followed by a number ({@code node})
     */
    public record Policy(String provisioner, long maxLagBytes, long retryAfterMillis, String namePrefix) {
        public Policy {
            if (!Provisioner.LOCAL.equals(provisioner) && !Provisioner.SPARE.equals(provisioner)) {
                throw new IllegalArgumentException("provisioner must be " + Provisioner.LOCAL + " or " + Provisioner.SPARE
                        + " (got " + provisioner + ")");
            }
        }
    }

    /**
     * Decides what to do now.
     *
     * @param spec the desired state; null when no one set it (nothing is done)
     * @param snapshot what the DCS shows
     * @param tasks every task (others than replica tasks are ignored), ended ones included: they tell which
     *              members the controller created, and when
     * @param nowMillis the time, epoch ms
     */
    public ReplicaAction decide(Spec spec, ClusterSnapshot snapshot, List<ReplicaTask> tasks, long nowMillis) {
        if (spec == null) {
            return new ReplicaAction.Nothing("no spec: the read replicas are left as they are");
        }
        if (spec.format() > Spec.FORMAT) {
            return new ReplicaAction.Wait("the spec has format " + spec.format() + ", newer than this controller's "
                    + Spec.FORMAT + ": acting on none of it");
        }
        if (snapshot.config().pause()) {
            return new ReplicaAction.Wait("the cluster is paused (maintenance mode): no read replica is added or removed");
        }
        Optional<ReplicaTask> active = tasks.stream().filter(t -> t.scales() && t.active())
                .min(Comparator.comparingLong(ReplicaTask::createdMillis).thenComparing(ReplicaTask::id));
        if (active.isPresent()) {
            ReplicaTask t = active.get();
            return new ReplicaAction.Wait("task " + t.id() + " (" + t.type() + " of " + t.member() + ") is "
                    + t.state().name().toLowerCase(Locale.ROOT) + ": one scale task at a time");
        }
        if (snapshot.leader().isEmpty()) {
            return new ReplicaAction.Wait("the cluster has no leader: no read replica is added or removed until one leads");
        }
        String leader = snapshot.leader().get().member();
        Map<String, ReplicaTask> managed = managed(tasks);
        List<Member> replicas = snapshot.members().values().stream()
                .filter(m -> !m.name().equals(leader) && m.noFailover() && !m.draining() && !isSpare(m, managed))
                .toList();
        int want = spec.readReplicas();
        int have = replicas.size();
        if (have == want) {
            return new ReplicaAction.Nothing(count(have) + " run, as the spec wants");
        }
        if (have < want) {
            long leaderPosition = leaderPosition(snapshot, leader);
            for (Member m : replicas) {
                String behind = notStreaming(m, leaderPosition);
                if (behind != null) {
                    return new ReplicaAction.Wait(have + " of " + want + " read replicas run and " + m.name()
                            + " is not yet streaming within the lag limit (" + behind + "): adding the next once it does");
                }
            }
            return add(snapshot, leader, tasks, managed, have, want, nowMillis);
        }
        Optional<Member> last = replicas.stream().filter(m -> managed.containsKey(m.name()))
                .max(Comparator.comparingLong((Member m) -> managed.get(m.name()).createdMillis())
                        .thenComparing(m -> managed.get(m.name()).id()));
        if (last.isEmpty()) {
            return new ReplicaAction.Nothing(count(have) + " run and the spec wants " + want + ", but the controller"
                    + " created none of them and removes only those it created");
        }
        return new ReplicaAction.Remove(last.get().name(), count(have) + " run and the spec wants " + want + ": removing "
                + last.get().name() + ", the one the controller created last (task " + managed.get(last.get().name()).id() + ")");
    }

    private ReplicaAction add(ClusterSnapshot snapshot, String leader, List<ReplicaTask> tasks,
                              Map<String, ReplicaTask> managed, int have, int want, long nowMillis) {
        String head = have + " of " + want + " read replicas run: ";
        String member;
        String made;
        if (Provisioner.SPARE.equals(policy.provisioner())) {
            Set<String> failed = recentlyFailed(tasks, nowMillis);
            Optional<Member> spare = snapshot.members().values().stream()
                    .filter(m -> isSpare(m, managed) && !failed.contains(m.name())).findFirst();
            if (spare.isEmpty()) {
                String notAgain = failed.isEmpty() ? "" : " (" + String.join(", ", failed)
                        + " failed a task less than " + policy.retryAfterMillis() / 1000 + " s ago)";
                return new ReplicaAction.Wait(head + "no spare is free" + notAgain
                        + "; start an agent with role: spare on another host");
            }
            member = spare.get().name();
            made = "assigning the spare " + member;
        } else {
            member = nextName(snapshot, tasks);
            made = "adding " + member + " (local provisioner)";
        }
        Source source = cloneSource(snapshot, leader, member);
        return new ReplicaAction.Add(member, policy.provisioner(), source.member(), head + made + ", cloned from "
                + source.member() + " (" + source.why() + ")");
    }

    /** Where a new replica clones from, and why that one. */
    private record Source(String member, String why) {
    }

    /**
     * A running standby tagged clonefrom, else a running standby that may take over (the standby), else the
     * leader: cloning costs its source I/O, which the primary should be spared.
     */
    private static Source cloneSource(ClusterSnapshot snapshot, String leader, String member) {
        List<Member> standbys = snapshot.members().values().stream()
                .filter(m -> !m.name().equals(leader) && !m.name().equals(member) && m.running() && m.inRecovery()
                        && !m.draining())
                .toList();
        Optional<Member> tagged = standbys.stream().filter(Member::cloneFrom).findFirst();
        if (tagged.isPresent()) {
            return new Source(tagged.get().name(), "tagged clonefrom");
        }
        Optional<Member> standby = standbys.stream().filter(m -> !m.noFailover()).findFirst();
        if (standby.isPresent()) {
            return new Source(standby.get().name(), "the standby");
        }
        return new Source(leader, "the primary: no clonefrom member or standby can serve");
    }

    /** Why {@code m} is not streaming within the lag limit, or null when it is. */
    private String notStreaming(Member m, long leaderPosition) {
        if (!m.running()) {
            return "its PostgreSQL does not run";
        }
        if (!m.inRecovery()) {
            return "it is not in recovery";
        }
        long lag = Math.max(0, leaderPosition - m.replayed());
        if (lag > policy.maxLagBytes()) {
            return lag + " bytes behind, more than " + policy.maxLagBytes();
        }
        return null;
    }

    private static long leaderPosition(ClusterSnapshot snapshot, String leader) {
        Member m = snapshot.members().get(leader);
        return Math.max(snapshot.lastLeaderPosition(), m == null ? 0 : m.position());
    }

    /**
     * The members the controller created and still has, each with the task that created it: the latest succeeded
     * {@code add_replica} of a member, unless a succeeded {@code remove_replica} of it came later.
     */
    static Map<String, ReplicaTask> managed(List<ReplicaTask> tasks) {
        Map<String, ReplicaTask> added = new HashMap<>();
        Map<String, Long> removed = new HashMap<>();
        for (ReplicaTask t : tasks) {
            if (t.state() != Task.State.SUCCEEDED || t.member().isEmpty()) {
                continue;
            }
            if (ReplicaTask.ADD.equals(t.type())) {
                added.merge(t.member(), t, (a, b) -> a.createdMillis() >= b.createdMillis() ? a : b);
            } else if (ReplicaTask.REMOVE.equals(t.type())) {
                removed.merge(t.member(), t.createdMillis(), Math::max);
            }
        }
        added.values().removeIf(t -> removed.getOrDefault(t.member(), Long.MIN_VALUE) >= t.createdMillis());
        return added;
    }

    private static boolean isSpare(Member m, Map<String, ReplicaTask> managed) {
        return SPARE_ROLE.equals(m.role()) && !managed.containsKey(m.name());
    }

    /** Members whose {@code add_replica} task failed or was cancelled less than the retry delay ago. */
    private Set<String> recentlyFailed(List<ReplicaTask> tasks, long nowMillis) {
        return tasks.stream().filter(t -> ReplicaTask.ADD.equals(t.type()) && !t.member().isEmpty()
                        && (t.state() == Task.State.FAILED || t.state() == Task.State.CANCELLED)
                        && nowMillis - t.finishedMillis() < policy.retryAfterMillis())
                .map(ReplicaTask::member).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * {@code <namePrefix><n>} with n one more than the largest number of any member's name and any replica task's
     * member of that prefix (never a name used before, so a half-removed member's leftovers are not reused).
     */
    private String nextName(ClusterSnapshot snapshot, List<ReplicaTask> tasks) {
        List<String> names = new ArrayList<>(snapshot.members().keySet());
        tasks.stream().filter(ReplicaTask::scales).map(ReplicaTask::member).forEach(names::add);
        int max = 0;
        for (String name : names) {
            Matcher matcher = NUMBERED.matcher(name);
            if (matcher.matches() && matcher.group(1).equals(policy.namePrefix()) && matcher.group(2).length() < 9) {
                max = Math.max(max, Integer.parseInt(matcher.group(2)));
            }
        }
        return policy.namePrefix() + (max + 1);
    }

    private static String count(int n) {
        return n == 1 ? "1 read replica" : n + " read replicas";
    }
}
