package io.pgherd.controller.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Status;
import io.pgherd.cluster.Task.State;

/**
 * One test (or more) per rule of {@link ReplicaRules}: each builds what the DCS shows and the tasks, and
 * asserts the exact action and sentence. The cluster is {@code node1} (leader), {@code node2} (the standby)
 * and the read replicas each test adds; the leader is at WAL position {@value #POS}.
 */
class ReplicaRulesTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final long POS = 100_000_000L;
    private static final long MAX_LAG = 1_000_000L;
    private static final ReplicaRules LOCAL = new ReplicaRules(new ReplicaRules.Policy(Provisioner.LOCAL, MAX_LAG,
            60_000, "node"));
    private static final ReplicaRules SPARES = new ReplicaRules(new ReplicaRules.Policy(Provisioner.SPARE, MAX_LAG,
            60_000, "node"));

    // ---- nothing to do ----

    @Test
    void noSpecLeavesTheReplicasAlone() {
        assertThat(LOCAL.decide(null, cluster().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Nothing("no spec: the read replicas are left as they are"));
    }

    @Test
    void asManyReadReplicasAsWantedIsNothingToDo() {
        Cluster c = cluster().replica("node3").replica("node4");

        assertThat(LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Nothing("2 read replicas run, as the spec wants"));
    }

    @Test
    void theStandbyIsNoReadReplica() {
        assertThat(LOCAL.decide(spec(0), cluster().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Nothing("0 read replicas run, as the spec wants"));
    }

    @Test
    void aDrainingMemberAndASpareDoNotCount() {
        Cluster c = cluster().replica("node3").add(replica("node4", POS).draining()).add(spare("spare1"));

        assertThat(LOCAL.decide(spec(1), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Nothing("1 read replica run, as the spec wants"));
    }

    // ---- wait ----

    @Test
    void aNewerSpecFormatIsNotActedOn() {
        assertThat(LOCAL.decide(new Spec(Spec.FORMAT + 1, 5, null), cluster().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Wait("the spec has format 2, newer than this controller's 1: acting on none"
                        + " of it"));
    }

    @Test
    void aPausedClusterIsNotScaled() {
        assertThat(LOCAL.decide(spec(3), cluster().paused().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Wait("the cluster is paused (maintenance mode): no read replica is added or"
                        + " removed"));
    }

    @Test
    void aRunningScaleTaskIsWaitedFor() {
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.RUNNING, "node3", 10));

        assertThat(LOCAL.decide(spec(3), cluster().snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Wait("task t1 (add_replica of node3) is running: one scale task at a time"));
    }

    @Test
    void aPendingRemovalIsWaitedForToo() {
        List<ReplicaTask> tasks = List.of(task("t2", ReplicaTask.REMOVE, State.PENDING, "node3", 10));

        assertThat(LOCAL.decide(spec(0), cluster().replica("node3").snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Wait("task t2 (remove_replica of node3) is pending: one scale task at a time"));
    }

    @Test
    void aRunningTaskOfAnotherTypeDoesNotBlockScaling() {
        List<ReplicaTask> tasks = List.of(task("b1", "backup", State.RUNNING, "", 10));

        assertThat(LOCAL.decide(spec(1), cluster().snapshot(), tasks, NOW)).isInstanceOf(ReplicaAction.Add.class);
    }

    @Test
    void noLeaderNoScaling() {
        assertThat(LOCAL.decide(spec(3), cluster().leaderless().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Wait("the cluster has no leader: no read replica is added or removed until one"
                        + " leads"));
    }

    @Test
    void aReplicaBehindTheLagLimitIsWaitedForBeforeTheNextIsAdded() {
        Cluster c = cluster().replica("node3").add(replica("node4", POS - MAX_LAG - 1));

        assertThat(LOCAL.decide(spec(3), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Wait("2 of 3 read replicas run and node4 is not yet streaming within the lag"
                        + " limit (1000001 bytes behind, more than 1000000): adding the next once it does"));
    }

    @Test
    void aReplicaAtTheLagLimitStreamsWithinIt() {
        Cluster c = cluster().add(replica("node3", POS - MAX_LAG));

        assertThat(LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW)).isInstanceOf(ReplicaAction.Add.class);
    }

    @Test
    void theLagIsJudgedAgainstTheStatusWhenItIsAhead() {
        Cluster c = cluster().status(POS + MAX_LAG + 1).add(replica("node3", POS));

        assertThat(LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW)).isInstanceOf(ReplicaAction.Wait.class);
    }

    @Test
    void aReplicaWhosePostgresDoesNotRunIsWaitedFor() {
        Cluster c = cluster().add(stopped("node3"));

        assertThat(LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Wait("1 of 2 read replicas run and node3 is not yet streaming within the lag"
                        + " limit (its PostgreSQL does not run): adding the next once it does"));
    }

    // ---- add ----

    @Test
    void tooFewAddsALocalMemberClonedFromTheStandby() {
        assertThat(LOCAL.decide(spec(1), cluster().snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Add("node3", Provisioner.LOCAL, "node2", "0 of 1 read replicas run: adding node3"
                        + " (local provisioner), cloned from node2 (the standby)"));
    }

    @Test
    void aClonefromMemberIsPreferredToTheStandby() {
        Cluster c = cluster().add(replica("node3", POS).cloneFrom());

        assertThat(LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Add("node4", Provisioner.LOCAL, "node3", "1 of 2 read replicas run: adding"
                        + " node4 (local provisioner), cloned from node3 (tagged clonefrom)"));
    }

    @Test
    void aClonefromMemberThatDoesNotRunIsPassedOver() {
        Cluster c = cluster().add(new M("node3").stopped().cloneFrom());

        assertThat(((ReplicaAction.Add) LOCAL.decide(spec(1), c.snapshot(), List.of(), NOW)).cloneFrom()).isEqualTo("node2");
    }

    @Test
    void thePrimaryOnlyWhenNothingElseCanServe() {
        Cluster c = cluster().without("node2").add(new M("node2").stopped());

        assertThat(LOCAL.decide(spec(1), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Add("node3", Provisioner.LOCAL, "node1", "0 of 1 read replicas run: adding"
                        + " node3 (local provisioner), cloned from node1 (the primary: no clonefrom member or standby can"
                        + " serve)"));
    }

    @Test
    void anUntaggedReadReplicaIsNoCloneSource() {
        Cluster c = cluster().without("node2").replica("node3");

        assertThat(((ReplicaAction.Add) LOCAL.decide(spec(2), c.snapshot(), List.of(), NOW)).cloneFrom()).isEqualTo("node1");
    }

    @Test
    void aDrainingStandbyIsNoCloneSource() {
        Cluster c = cluster().without("node2").add(new M("node2").draining());

        assertThat(((ReplicaAction.Add) LOCAL.decide(spec(1), c.snapshot(), List.of(), NOW)).cloneFrom()).isEqualTo("node1");
    }

    @Test
    void aNewNameIsNeverOneUsedBeforeByATask() {
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node7", 10),
                task("t2", ReplicaTask.REMOVE, State.SUCCEEDED, "node7", 20));

        assertThat(((ReplicaAction.Add) LOCAL.decide(spec(1), cluster().snapshot(), tasks, NOW)).member())
                .isEqualTo("node8");
    }

    @Test
    void aNewNameFollowsTheLargestNumberOfItsPrefixOnly() {
        Cluster c = cluster().replica("node12").add(spare("host99")).add(replica("pg40", POS));

        assertThat(((ReplicaAction.Add) LOCAL.decide(spec(3), c.snapshot(), List.of(), NOW)).member())
                .isEqualTo("node13");
    }

    @Test
    void theSpareProvisionerAssignsTheFirstFreeSpare() {
        Cluster c = cluster().add(spare("spare2")).add(spare("spare1"));

        assertThat(SPARES.decide(spec(1), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Add("spare1", Provisioner.SPARE, "node2", "0 of 1 read replicas run:"
                        + " assigning the spare spare1, cloned from node2 (the standby)"));
    }

    @Test
    void aSpareWhoseTaskFailedRecentlyIsPassedOver() {
        Cluster c = cluster().add(spare("spare1")).add(spare("spare2"));
        List<ReplicaTask> tasks = List.of(failed("t1", "spare1", NOW - 59_999));

        assertThat(((ReplicaAction.Add) SPARES.decide(spec(1), c.snapshot(), tasks, NOW)).member()).isEqualTo("spare2");
    }

    @Test
    void aSpareWhoseTaskFailedLongAgoIsChosenAgain() {
        Cluster c = cluster().add(spare("spare1")).add(spare("spare2"));
        List<ReplicaTask> tasks = List.of(failed("t1", "spare1", NOW - 60_000));

        assertThat(((ReplicaAction.Add) SPARES.decide(spec(1), c.snapshot(), tasks, NOW)).member()).isEqualTo("spare1");
    }

    @Test
    void noFreeSpareIsWaitedFor() {
        Cluster c = cluster().add(spare("spare1"));
        List<ReplicaTask> tasks = List.of(failed("t1", "spare1", NOW - 1_000));

        assertThat(SPARES.decide(spec(1), c.snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Wait("0 of 1 read replicas run: no spare is free (spare1 failed a task less"
                        + " than 60 s ago); start an agent with role: spare on another host"));
    }

    @Test
    void anAssignedSpareCountsAsAReadReplica() {
        Cluster c = cluster().add(replica("spare1", POS).role("spare"));
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "spare1", 10));

        assertThat(SPARES.decide(spec(1), c.snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Nothing("1 read replica run, as the spec wants"));
    }

    // ---- remove ----

    @Test
    void tooManyRemovesTheOneTheControllerCreatedLast() {
        Cluster c = cluster().replica("node3").replica("node4").replica("node5");
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node4", 10),
                task("t2", ReplicaTask.ADD, State.SUCCEEDED, "node5", 20));

        assertThat(LOCAL.decide(spec(2), c.snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Remove("node5", "3 read replicas run and the spec wants 2: removing node5,"
                        + " the one the controller created last (task t2)"));
    }

    @Test
    void theOrderOfCreationNotOfNamesDecides() {
        Cluster c = cluster().replica("node4").replica("node5");
        List<ReplicaTask> tasks = List.of(task("t9", ReplicaTask.ADD, State.SUCCEEDED, "node4", 30),
                task("t2", ReplicaTask.ADD, State.SUCCEEDED, "node5", 20));

        assertThat(((ReplicaAction.Remove) LOCAL.decide(spec(1), c.snapshot(), tasks, NOW)).member()).isEqualTo("node4");
    }

    @Test
    void aMemberTheUserMadeIsNeverRemoved() {
        Cluster c = cluster().replica("node3").replica("node4");

        assertThat(LOCAL.decide(spec(0), c.snapshot(), List.of(), NOW))
                .isEqualTo(new ReplicaAction.Nothing("2 read replicas run and the spec wants 0, but the controller created"
                        + " none of them and removes only those it created"));
    }

    @Test
    void theStandbyIsNeverRemovedEvenIfATaskNamedIt() {
        Cluster c = cluster().replica("node3");
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node2", 10));

        assertThat(LOCAL.decide(spec(0), c.snapshot(), tasks, NOW)).isInstanceOf(ReplicaAction.Nothing.class);
    }

    @Test
    void aMemberAddedByAFailedTaskIsNotManaged() {
        Cluster c = cluster().replica("node3");
        List<ReplicaTask> tasks = List.of(failed("t1", "node3", 10));

        assertThat(LOCAL.decide(spec(0), c.snapshot(), tasks, NOW)).isInstanceOf(ReplicaAction.Nothing.class);
    }

    @Test
    void aMemberRemovedAndAddedAgainIsManagedAgain() {
        Cluster c = cluster().replica("node3");
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node3", 10),
                task("t2", ReplicaTask.REMOVE, State.SUCCEEDED, "node3", 20),
                task("t3", ReplicaTask.ADD, State.SUCCEEDED, "node3", 30));

        assertThat(LOCAL.decide(spec(0), c.snapshot(), tasks, NOW))
                .isEqualTo(new ReplicaAction.Remove("node3", "1 read replica run and the spec wants 0: removing node3, the"
                        + " one the controller created last (task t3)"));
    }

    @Test
    void aMemberRemovedByATaskIsNoLongerManaged() {
        Cluster c = cluster().replica("node3");
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node3", 10),
                task("t2", ReplicaTask.REMOVE, State.SUCCEEDED, "node3", 20));

        assertThat(LOCAL.decide(spec(0), c.snapshot(), tasks, NOW)).isInstanceOf(ReplicaAction.Nothing.class);
    }

    @Test
    void aLaggingReplicaDoesNotHoldUpARemoval() {
        Cluster c = cluster().replica("node3").add(stopped("node4"));
        List<ReplicaTask> tasks = List.of(task("t1", ReplicaTask.ADD, State.SUCCEEDED, "node4", 10));

        assertThat(((ReplicaAction.Remove) LOCAL.decide(spec(1), c.snapshot(), tasks, NOW)).member()).isEqualTo("node4");
    }

    // ---- the table's fixtures ----

    private static Spec spec(int replicas) {
        return new Spec(Spec.FORMAT, replicas, null);
    }

    private static ReplicaTask task(String id, String type, State state, String member, long created) {
        return new ReplicaTask(id, type, state, member, created, state == State.SUCCEEDED ? created + 5 : 0);
    }

    private static ReplicaTask failed(String id, String member, long finished) {
        return new ReplicaTask(id, ReplicaTask.ADD, State.FAILED, member, finished - 5, finished);
    }

    private static M replica(String name, long replayed) {
        return new M(name).noFailover().replayed(replayed);
    }

    private static M stopped(String name) {
        return new M(name).noFailover().stopped();
    }

    private static M spare(String name) {
        return new M(name).role("spare").stopped();
    }

    /** node1 leads at {@value #POS}, node2 is its standby. */
    private static Cluster cluster() {
        return new Cluster().add(new M("node1").primary()).add(new M("node2"));
    }

    /** A member record being built: a running standby of node1 at {@value #POS} unless told otherwise. */
    private static final class M {
        final String name;
        String role = "replica";
        boolean running = true;
        boolean inRecovery = true;
        long replayed = POS;
        boolean noFailover;
        boolean cloneFrom;
        boolean draining;

        M(String name) {
            this.name = name;
        }

        M primary() {
            role = "primary";
            inRecovery = false;
            return this;
        }

        M role(String r) {
            role = r;
            return this;
        }

        M stopped() {
            running = false;
            return this;
        }

        M replayed(long r) {
            replayed = r;
            return this;
        }

        M noFailover() {
            noFailover = true;
            return this;
        }

        M cloneFrom() {
            cloneFrom = true;
            return this;
        }

        M draining() {
            draining = true;
            return this;
        }

        Member record() {
            return new Member(name, role, running ? "running" : "stopped", "127.0.0.1", 5432, null, running, inRecovery, 1,
                    replayed, replayed, noFailover, 0, inRecovery ? "node1" : null, false, List.of(), false, cloneFrom,
                    draining);
        }
    }

    private static final class Cluster {
        final List<M> members = new ArrayList<>();
        boolean leader = true;
        boolean paused;
        long status;

        Cluster add(M m) {
            members.add(m);
            return this;
        }

        Cluster replica(String name) {
            return add(ReplicaRulesTest.replica(name, POS));
        }

        Cluster without(String name) {
            members.removeIf(m -> m.name.equals(name));
            return this;
        }

        Cluster leaderless() {
            leader = false;
            return this;
        }

        Cluster paused() {
            paused = true;
            return this;
        }

        Cluster status(long position) {
            status = position;
            return this;
        }

        ClusterSnapshot snapshot() {
            TreeMap<String, Member> records = new TreeMap<>();
            members.forEach(m -> records.put(m.name, m.record()));
            ObjectNode config = JsonNodeFactory.instance.objectNode();
            if (paused) {
                config.put("pause", true);
            }
            return new ClusterSnapshot(leader ? Optional.of(new Leader("node1", 7, 7)) : Optional.empty(), records,
                    Optional.of("node1"), status > 0 ? Optional.of(new Status(status)) : Optional.empty(), Optional.empty(), 0,
                    Optional.empty(), new ClusterConfig(config, Optional.of(1L)), History.EMPTY, new TreeMap<>(),
                    Optional.empty(), new TreeMap<>(), Optional.empty());
        }
    }
}
