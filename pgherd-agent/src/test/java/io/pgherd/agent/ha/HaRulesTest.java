package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.pgherd.agent.ha.ClusterState.Leader;
import io.pgherd.agent.ha.ClusterState.Switchover;
import io.pgherd.agent.ha.Decision.Action;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;

/**
 * One test (or more) per HA rule of DESIGN.md §3: each builds a DCS snapshot and a local state, and
 * asserts the action, its target and the exact sentence the agent logs. This member is always
 * {@value #ME}; the others are {@code node1} (usually the leader) and {@code node3}.
 */
class HaRulesTest {
    private static final String ME = "node2";
    private static final long EPOCH = 42;
    private static final long NOW = 1_700_000_000_000L;

    // ---- the DCS cannot be reached, or the session is lost ----

    @Test
    void runningPrimaryCutOffFromTheDcsDemotes() {
        Decision d = decide(cluster().ledBy(ME), primary(10_000).dcsUnreachable());

        assertDecision(d, Action.DEMOTE, "",
                "the DCS cannot be reached: demoting, so a primary cut off from the DCS takes no writes");
    }

    @Test
    void runningPrimaryWhoseSessionWasLostDemotes() {
        Decision d = decide(cluster().ledBy(ME), primary(10_000).sessionLost());

        assertDecision(d, Action.DEMOTE, "",
                "the DCS session was lost: demoting, so a primary cut off from the DCS takes no writes");
    }

    @Test
    void lostSessionIsTheReasonGivenWhenTheDcsIsAlsoUnreachable() {
        Decision d = decide(cluster().ledBy(ME), primary(10_000).dcsUnreachable().sessionLost());

        assertDecision(d, Action.DEMOTE, "",
                "the DCS session was lost: demoting, so a primary cut off from the DCS takes no writes");
    }

    @Test
    void standbyCutOffFromTheDcsChangesNothing() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500).dcsUnreachable());

        assertDecision(d, Action.NONE, "", "the DCS cannot be reached: changing nothing until it answers");
    }

    @Test
    void standbyWhoseSessionWasLostChangesNothing() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500).sessionLost());

        assertDecision(d, Action.NONE, "", "the DCS session was lost: changing nothing until it answers");
    }

    @Test
    void stoppedNodeCutOffFromTheDcsIsNotStarted() {
        Decision d = decide(cluster().ledBy(ME), stopped().dcsUnreachable());

        assertDecision(d, Action.NONE, "", "the DCS cannot be reached: changing nothing until it answers");
    }

    // ---- the leader's session is not proven to outlive the fencing margin ----

    @Test
    void leaderWhoseSessionTheDcsHasNotRenewedInTimeDemotes() {
        Decision d = decide(cluster().ledBy(ME), primary(10_000).leaseUnconfirmed());

        assertDecision(d, Action.DEMOTE, "", "holding the leader key but the DCS has not renewed this member's session in"
                + " time: demoting, so no other primary can be promoted while this one takes writes");
    }

    @Test
    void stoppedLeaderWhoseSessionTheDcsHasNotRenewedInTimeIsNotStarted() {
        Decision d = decide(cluster().ledBy(ME), stopped().leaseUnconfirmed());

        assertDecision(d, Action.NONE, "", "holding the leader key but the DCS has not renewed this member's session"
                + " in time: neither starting nor promoting PostgreSQL until it does");
    }

    @Test
    void leaderInRecoveryWhoseSessionTheDcsHasNotRenewedInTimeIsNotPromoted() {
        Decision d = decide(cluster().ledBy(ME), standbyOf("", 9_500).leaseUnconfirmed());

        assertDecision(d, Action.NONE, "", "holding the leader key but the DCS has not renewed this member's session"
                + " in time: neither starting nor promoting PostgreSQL until it does");
    }

    @Test
    void standbyWhoseSessionIsUnconfirmedFollowsAsBefore() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500).leaseUnconfirmed());

        assertThat(d.action()).isEqualTo(Action.NONE);
        assertThat(d.sentence()).doesNotContain("renewed");
    }

    // ---- bootstrap: no data directory ----

    @Test
    void firstCandidateWithNoClusterInitializesIt() {
        Decision d = decide(uninitialized(), noDataDirectory());

        assertDecision(d, Action.INITIALIZE, "", "no cluster yet: initializing it");
    }

    @Test
    void readReplicaWithNoClusterWaitsForACandidateToInitializeIt() {
        Decision d = decide(uninitialized(), noDataDirectory(), me().readReplica());

        assertDecision(d, Action.NONE, "",
                "no cluster yet; a read replica waits for a failover candidate to initialize it");
    }

    @Test
    void memberWithoutDataInAnInitializedClusterClonesFromTheLeader() {
        Decision d = decide(cluster().ledBy("node1"), noDataDirectory());

        assertDecision(d, Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
    }

    @Test
    void readReplicaWithoutDataClonesFromTheLeaderToo() {
        Decision d = decide(cluster().ledBy("node1"), noDataDirectory(), me().readReplica());

        assertDecision(d, Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
    }

    @Test
    void memberWithoutDataClonesFromAStandbyTaggedClonefrom() {
        Decision d = decide(cluster().ledBy("node1").member(standby("node4", 9_000).cloneFrom())
                .member(standby("node3", 9_500)), noDataDirectory());

        assertDecision(d, Action.CLONE, "node4", "no data directory: cloning it from node4 (tagged clonefrom), a standby of"
                + " the leader node1");
    }

    @Test
    void memberWithoutDataClonesFromTheMemberItsAssignmentNames() {
        Cluster c = cluster().ledBy("node1").member(standby("node4", 9_000).cloneFrom()).member(standby("node3", 9_500));

        assertDecision(decide(c, noDataDirectory(), me().readReplica(), assignedFrom("node3")), Action.CLONE, "node3",
                "no data directory: cloning it from node3 as the controller's assignment asks, a standby of the leader node1");
    }

    @Test
    void anAssignedSourceThatCannotServeLeavesTheUsualChoice() {
        Cluster c = cluster().ledBy("node1").member(standby("node4", 9_000).cloneFrom()).member(standby("node6", 9_500).stopped())
                .member(standby("node3", 9_500).starting()).member(standby("node5", 9_500).asPrimary());
        String tagged = "no data directory: cloning it from node4 (tagged clonefrom), a standby of the leader node1";
        for (String source : new String[] {"node6", "node3", "node5", "node9", "node1", ME, ""}) {
            assertDecision(decide(c, noDataDirectory(), me().readReplica(), assignedFrom(source)), Action.CLONE, "node4", tagged);
        }
        assertDecision(decide(c, noDataDirectory(), me().readReplica(), Optional.of(Assignment.of(ME, Assignment.Role.REPLICA,
                false, "t", 1))), Action.CLONE, "node4", tagged);
        assertDecision(decide(cluster().ledBy("node1").member(standby("node6", 9_500).stopped()), noDataDirectory(),
                me().readReplica(), assignedFrom("node6")), Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
    }

    @Test
    void anAssignmentOfANewerReleaseNamesNoSource() {
        Assignment newer = new Assignment(Assignment.FORMAT + 1, ME, Assignment.Role.REPLICA, false, "t", 1, "node3", false);

        assertDecision(decide(cluster().ledBy("node1").member(standby("node3", 9_500)), noDataDirectory(), me().readReplica(),
                Optional.of(newer)), Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
    }

    @Test
    void aClonefromStandbyThatIsStoppedOrStartingIsPassedOver() {
        assertDecision(decide(cluster().ledBy("node1").member(standby("node4", 9_000).cloneFrom().stopped()),
                noDataDirectory()), Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
        assertDecision(decide(cluster().ledBy("node1").member(standby("node4", 9_000).cloneFrom().starting()),
                noDataDirectory()), Action.CLONE, "node1", "no data directory: cloning it from the leader node1");
    }

    @Test
    void memberWithoutDataWaitsWhileTheInitializedClusterHasNoLeader() {
        Decision d = decide(cluster(), noDataDirectory());

        assertDecision(d, Action.NONE, "",
                "no data directory and no leader to clone from (initialized by node1): waiting");
    }

    @Test
    void memberThatWonTheInitializeKeyButDidNotFinishInitializesAgain() {
        Decision d = decide(new Cluster(Optional.of(ME)), noDataDirectory());

        assertDecision(d, Action.INITIALIZE, "", "this member won the initialize key but its initialization did not"
                + " finish: initializing again");
    }

    // ---- holding the leader key ----

    @Test
    void leaderWithPostgresStoppedStartsItAndCountsTheAttempt() {
        assertDecision(decide(cluster().ledBy(ME), stopped()), Action.START, "",
                "holding the leader key with PostgreSQL stopped: starting it (attempt 1 of 3)");
        assertDecision(decide(cluster().ledBy(ME), stopped().failedStarts(2)), Action.START, "",
                "holding the leader key with PostgreSQL stopped: starting it (attempt 3 of 3)");
    }

    @Test
    void leaderReleasesTheKeyAtOnceAfterMaxStartAttemptsFailed() {
        Decision d = decide(cluster().ledBy(ME), stopped().failedStarts(3));

        assertDecision(d, Action.RELEASE, "", "holding the leader key but PostgreSQL did not start in 3 attempts:"
                + " releasing the key so another member can take over now");
    }

    @Test
    void leaderStillInRecoveryPromotes() {
        Decision d = decide(cluster().ledBy(ME), standbyOf("node1", 9_500));

        assertDecision(d, Action.PROMOTE, "", "holding the leader key (epoch 42) while in recovery: promoting");
    }

    @Test
    void leaderRunningAsPrimaryKeepsLeading() {
        Decision d = decide(cluster().ledBy(ME).member(standby("node3", 9_500)), primary(10_000));

        assertDecision(d, Action.NONE, "", "leading with the key (epoch 42)");
    }

    // ---- switchover, decided by the leader ----

    @Test
    void switchoverToAHealthyStandbyHandsTheKeyToIt() {
        Decision d = decide(leading().switchover(ME, "node3", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void failoverRequestWithoutFromIsCarriedOutByTheLeaderAsASwitchover() {
        Decision d = decide(leading().switchover("", "node3", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverToAStoppedStandbyWaits() {
        Decision d = decide(cluster().ledBy(ME).member(standby("node3", 9_500).stopped()).switchover(ME, "node3", 0),
                primary(10_000));

        assertDecision(d, Action.NONE, "",
                "leading with the key (epoch 42); the switchover waits: node3 is not a healthy running standby");
    }

    @Test
    void switchoverToAReadReplicaWaits() {
        Decision d = decide(cluster().ledBy(ME).member(standby("node3", 9_500).readReplica()).switchover(ME, "node3", 0),
                primary(10_000));

        assertDecision(d, Action.NONE, "",
                "leading with the key (epoch 42); the switchover waits: node3 is not a healthy running standby");
    }

    @Test
    void switchoverToAMemberThatIsNotInRecoveryWaits() {
        Decision d = decide(cluster().ledBy(ME).member(standby("node3", 9_500).asPrimary()).switchover(ME, "node3", 0),
                primary(10_000));

        assertDecision(d, Action.NONE, "",
                "leading with the key (epoch 42); the switchover waits: node3 is not a healthy running standby");
    }

    @Test
    void switchoverToAStandbyStillStartingWaits() {
        Decision d = decide(cluster().ledBy(ME).member(standby("node3", 9_500).starting()).switchover(ME, "node3", 0),
                primary(10_000));

        assertDecision(d, Action.NONE, "",
                "leading with the key (epoch 42); the switchover waits: node3 is not a healthy running standby");
    }

    @Test
    void switchoverToAnUnknownMemberWaits() {
        Decision d = decide(leading().switchover(ME, "node9", 0), primary(10_000));

        assertDecision(d, Action.NONE, "",
                "leading with the key (epoch 42); the switchover waits: node9 is not a healthy running standby");
    }

    @Test
    void scheduledSwitchoverDoesNothingBeforeItsTimeAndHappensAtIt() {
        ClusterState scheduled = leading().switchover(ME, "node3", NOW + 60_000).build();

        assertDecision(HaRules.decide(scheduled, primary(10_000).build(), me().build(), NOW), Action.NONE, "",
                "leading with the key (epoch 42)");
        assertDecision(HaRules.decide(scheduled, primary(10_000).build(), me().build(), NOW + 60_000),
                Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverAwayFromAnotherLeaderIsIgnoredByThisOne() {
        Decision d = decide(leading().switchover("node1", "node3", 0), primary(10_000));

        assertDecision(d, Action.NONE, "", "leading with the key (epoch 42)");
    }

    @Test
    void switchoverIsNotCarriedOutInMaintenanceMode() {
        Decision d = decide(leading().switchover(ME, "node3", 0).paused(), primary(10_000));

        assertDecision(d, Action.NONE, "", "leading with the key (epoch 42)");
    }

    @Test
    void switchoverWithoutCandidatePicksTheStandbyFurthestAlong() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_000).priority(9))
                .member(standby("node3", 9_500))
                .switchover(ME, "", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverWithoutCandidatePicksTheHigherPriorityAtEqualPosition() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_500).priority(1))
                .member(standby("node3", 9_500).priority(2))
                .switchover(ME, "", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverWithoutCandidatePicksTheLowerNameAtEqualPositionAndPriority() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node3", 9_500))
                .member(standby("node1", 9_500))
                .switchover(ME, "", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node1", "switchover requested: handing the key to node1 after a clean shutdown");
    }

    @Test
    void switchoverWithoutCandidateSkipsStoppedMembersAndReadReplicas() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_900).stopped())
                .member(standby("node4", 9_900).readReplica())
                .member(standby("node3", 9_000))
                .switchover(ME, "", 0), primary(10_000));

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverWithoutAnyHealthyCandidateWaits() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_900).stopped())
                .member(standby("node3", 9_900).readReplica())
                .switchover(ME, "", 0), primary(10_000));

        assertDecision(d, Action.NONE, "", "leading with the key (epoch 42); the switchover waits: no healthy candidate");
    }

    @Test
    void switchoverWithoutCandidateInSynchronousModePicksTheSynchronousStandby() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_900))
                .member(standby("node3", 9_500))
                .synchronousStandby("node3")
                .switchover(ME, "", 0), primary(10_000), me().synchronousMode());

        assertDecision(d, Action.SWITCHOVER, "node3", "switchover requested: handing the key to node3 after a clean shutdown");
    }

    @Test
    void switchoverWithoutCandidateInSynchronousModeWaitsWhileTheSynchronousStandbyIsStopped() {
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_900))
                .member(standby("node3", 9_500).stopped())
                .synchronousStandby("node3")
                .switchover(ME, "", 0), primary(10_000), me().synchronousMode());

        assertDecision(d, Action.NONE, "", "leading with the key (epoch 42); the switchover waits: no healthy candidate");
    }

    // ---- another member holds the key ----

    @Test
    void runningPrimaryDemotesWhenAnotherMemberHoldsTheKey() {
        Decision d = decide(cluster().ledBy("node1"), primary(10_000));

        assertDecision(d, Action.DEMOTE, "node1", "node1 holds the leader key but this node runs as a primary: demoting");
    }

    @Test
    void formerPrimaryRewindsBeforeFollowingTheLeader() {
        assertDecision(decide(cluster().ledBy("node1"), standbyOf("", 10_000).wasPrimary()), Action.REWIND, "node1",
                "this node was a primary: rewinding it to follow the leader node1");
        assertDecision(decide(cluster().ledBy("node1"), stopped().wasPrimary()), Action.REWIND, "node1",
                "this node was a primary: rewinding it to follow the leader node1");
    }

    @Test
    void stoppedStandbyStartsAsAStandbyOfTheLeader() {
        Decision d = decide(cluster().ledBy("node1"), stopped());

        assertDecision(d, Action.START_AS_STANDBY, "node1", "PostgreSQL is stopped: starting it as a standby of node1");
    }

    @Test
    void standbyFollowingAnotherMemberFollowsTheLeader() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node3", 9_500));

        assertDecision(d, Action.FOLLOW, "node1", "following the new leader node1 instead of node3");
    }

    @Test
    void standbyFollowingNobodyFollowsTheLeader() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("", 9_500));

        assertDecision(d, Action.FOLLOW, "node1", "following the new leader node1");
    }

    @Test
    void standbyFollowingTheLeaderChangesNothing() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500));

        assertDecision(d, Action.NONE, "", "following the leader node1");
    }

    @Test
    void standbyOffTheLeadersTimelineLongerThanTheLimitIsClonedAgain() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500).stuckFor(30_001));

        assertDecision(d, Action.RECLONE, "node1", "not on the timeline of the leader node1 for 30 s (its history forked off"
                + " before this node's end of WAL): cloning it again");
    }

    @Test
    void standbyOffTheLeadersTimelineWithinTheLimitWaits() {
        Decision d = decide(cluster().ledBy("node1"), standbyOf("node1", 9_500).stuckFor(30_000));

        assertDecision(d, Action.NONE, "", "following the leader node1");
    }

    // ---- nobody holds the key ----

    @Test
    void noFailoverInMaintenanceMode() {
        Decision d = decide(cluster().paused(), standbyOf("node1", 10_000));

        assertDecision(d, Action.NONE, "", "no leader, but maintenance mode is on: no automatic failover");
    }

    @Test
    void stoppedMemberWithoutLeaderStartsToBeJudged() {
        Decision d = decide(cluster(), stopped());

        assertDecision(d, Action.START, "",
                "no leader and PostgreSQL is stopped: starting it (read-only) to be judged as a candidate");
    }

    @Test
    void readReplicaNeverTakesTheKey() {
        Decision d = decide(cluster().lastLeaderPosition(10_000), standbyOf("node1", 10_000), me().readReplica());

        assertDecision(d, Action.NONE, "", "no leader; this read replica never takes the key");
    }

    @Test
    void memberLaggingBeyondMaximumLagOnFailoverDoesNotTakeTheKey() {
        Decision d = decide(cluster().lastLeaderPosition(10_000), standbyOf("node1", 8_000));

        assertDecision(d, Action.NONE, "", "no leader; 2000 bytes behind the last primary position, more than"
                + " maximum_lag_on_failover 1000: not taking the key");
    }

    @Test
    void memberExactlyAtMaximumLagOnFailoverTakesTheKey() {
        Decision d = decide(cluster().lastLeaderPosition(10_000), standbyOf("node1", 9_000));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9000, 1000 bytes behind the last primary position)");
    }

    @Test
    void unknownLastPrimaryPositionDoesNotBlockTheKey() {
        Decision d = decide(cluster(), standbyOf("node1", 3_000));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 3000, 0 bytes behind the last primary position)");
    }

    @Test
    void healthiestCandidateTakesTheKey() {
        Decision d = decide(cluster().lastLeaderPosition(10_000)
                .member(standby("node1", 9_000).priority(9))
                .member(standby("node3", 9_400)), standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void memberFurtherAlongIsTheBetterCandidate() {
        Decision d = decide(noLeader().member(standby("node3", 9_600).priority(0)), standbyOf("node1", 9_500));

        assertDecision(d, Action.NONE, "", "no leader; node3 is a better candidate (position 9600 against 9500)");
    }

    @Test
    void memberStillStartingIsNoBetterCandidateHoweverFarAlong() {
        Decision d = decide(noLeader().member(standby("node3", 9_600).starting()), standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void memberWithHigherPriorityAtTheSamePositionIsTheBetterCandidate() {
        Decision d = decide(noLeader().member(standby("node3", 9_500).priority(2)), standbyOf("node1", 9_500));

        assertDecision(d, Action.NONE, "", "no leader; node3 is a better candidate (position 9500 against 9500)");
    }

    @Test
    void memberWithLowerNameAtTheSamePositionAndPriorityIsTheBetterCandidate() {
        Decision d = decide(noLeader().member(standby("node1", 9_500)), standbyOf("node1", 9_500));

        assertDecision(d, Action.NONE, "", "no leader; node1 is a better candidate (position 9500 against 9500)");
    }

    @Test
    void memberWithHigherNameOrLowerPriorityAtTheSamePositionIsNotBetter() {
        Decision d = decide(noLeader()
                .member(standby("node3", 9_500))
                .member(standby("node1", 9_500).priority(0)), standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void stoppedMemberOrReadReplicaFurtherAlongIsNotABetterCandidate() {
        Decision d = decide(noLeader()
                .member(standby("node1", 10_000).stopped())
                .member(standby("node3", 10_000).readReplica()), standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void inSynchronousModeOnlyTheSynchronousStandbyMayTakeTheKey() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).synchronousStandby("node3"),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.NONE, "",
                "no leader; in synchronous mode only the synchronous standby node3 may take the key");
    }

    @Test
    void synchronousStandbyTakesTheKeyInSynchronousMode() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).synchronousStandby(ME),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the synchronous standby"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void synchronousModeWithoutARecordedSynchronousStandbyJudgesCandidatesAsUsual() {
        Decision d = decide(noLeader(), standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void inSynchronousModeASyncKeyWrittenByTheLeaderLetsOnlyTheStandbyItNamesTakeTheKey() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).sync("node1", "node3"),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.NONE, "",
                "no leader; in synchronous mode only the synchronous standby node3 may take the key");
    }

    @Test
    void inSynchronousModeNoStandbyTakesTheKeyWhenTheLastLeaderHadNoSynchronousStandby() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).sync("node1", ""),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.NONE, "", "no leader; in synchronous mode the last leader node1 had no synchronous"
                + " standby, so only it holds every acknowledged commit: no automatic failover (a failover to a named"
                + " candidate may be requested)");
    }

    @Test
    void inSynchronousModeAPrimaryThatMayNotTakeTheKeyBecauseNoStandbyWasSynchronousDemotes() {
        Decision d = decide(noLeader().sync("node1", ""), primary(9_500), me().synchronousMode());

        assertDecision(d, Action.DEMOTE, "", "no leader and this primary may not take the key (no leader; in"
                + " synchronous mode the last leader node1 had no synchronous standby, so only it holds every"
                + " acknowledged commit: no automatic failover (a failover to a named candidate may be requested)):"
                + " demoting");
    }

    @Test
    void inSynchronousModeTheLastLeaderWithoutSynchronousStandbyTakesTheKeyBackThoughAStandbyIsFurtherAlong() {
        // It alone holds every commit it acknowledged; the standby further along may lack some.
        Decision d = decide(noLeader().member(standby("node3", 9_800)).sync(ME, ""), new Local().running(true, true)
                .position(9_500), me().synchronousMode());

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the last leader, which alone holds"
                + " every acknowledged commit (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void inSynchronousModeARequestedCandidateTakesTheKeyThoughTheLastLeaderHadNoSynchronousStandby() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).sync("node1", "").switchover("", ME, 0),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the requested candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void aSyncKeyWithoutStandbyIsIgnoredOutsideSynchronousMode() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).sync("node1", ""), standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void switchoverWithoutCandidateInSynchronousModeWithoutSynchronousStandbyPicksTheBestStandby() {
        // A clean shutdown waits until the streaming standbys have the last WAL, so any of them is safe.
        Decision d = decide(cluster().ledBy(ME)
                .member(standby("node1", 9_900))
                .member(standby("node3", 9_500))
                .sync(ME, "")
                .switchover(ME, "", 0), primary(10_000), me().synchronousMode());

        assertDecision(d, Action.SWITCHOVER, "node1", "switchover requested: handing the key to node1 after a clean shutdown");
    }

    @Test
    void failoverRequestNamingAnotherHealthyCandidateLeavesTheKeyToIt() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).switchover("", "node3", 0), standbyOf("node1", 9_500));

        assertDecision(d, Action.NONE, "", "no leader; the requested candidate node3 takes the key");
    }

    @Test
    void failoverRequestNamingAStoppedMemberOrReadReplicaIsNotWaitedFor() {
        assertDecision(decide(noLeader().member(standby("node3", 9_000).stopped()).switchover("", "node3", 0),
                standbyOf("node1", 9_500)), Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced"
                + " healthy candidate (position 9500, 500 bytes behind the last primary position)");
        assertDecision(decide(noLeader().member(standby("node3", 9_000).readReplica()).switchover("", "node3", 0),
                standbyOf("node1", 9_500)), Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced"
                + " healthy candidate (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void scheduledFailoverRequestIsNotWaitedForBeforeItsTime() {
        Decision d = decide(noLeader().member(standby("node3", 9_000)).switchover("", "node3", NOW + 1),
                standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void requestedCandidateTakesTheKeyEvenWithAMemberFurtherAlong() {
        Decision d = decide(noLeader().member(standby("node3", 10_000).priority(9)).switchover("node1", ME, 0),
                standbyOf("node1", 9_500));

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the requested candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    @Test
    void requestedCandidateStillRespectsMaximumLagOnFailover() {
        Decision d = decide(noLeader().member(standby("node3", 10_000)).switchover("", ME, 0), standbyOf("node1", 8_500));

        assertDecision(d, Action.NONE, "", "no leader; 1500 bytes behind the last primary position, more than"
                + " maximum_lag_on_failover 1000: not taking the key");
    }

    @Test
    void requestedCandidateTakesTheKeyInSynchronousModeThoughNotTheSynchronousStandby() {
        // An explicit failover is the operator's override (as in Patroni, where only a switchover must name
        // the synchronous standby): it may lose commits acknowledged by the synchronous standby.
        Decision d = decide(noLeader().member(standby("node3", 9_500)).synchronousStandby("node3").switchover("", ME, 0),
                standbyOf("node1", 9_500), me().synchronousMode());

        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the requested candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    // ---- rules believed wrong or missing (see the report): these state the behaviour that should hold ----

    /**
     * Synchronous mode: the synchronous standby holds every acknowledged commit, but an asynchronous
     * standby may have received more WAL. If the synchronous standby defers to it as "better", and the
     * asynchronous one defers to the synchronous standby, nobody ever takes the key.
     */
    @Test
    void synchronousStandbyTakesTheKeyThoughAnAsynchronousStandbyIsFurtherAlong() {
        ClusterState cluster = noLeader().member(standby("node3", 9_800)).synchronousStandby(ME).build();
        HaSettings sync = me().synchronousMode().build();
        HaSettings asyncNode3 = me().named("node3").synchronousMode().build();

        Decision node3 = HaRules.decide(cluster, standbyOf("node1", 9_800).build(), asyncNode3, NOW);
        assertDecision(node3, Action.NONE, "", "no leader; in synchronous mode only the synchronous standby node2 may take the key");
        Decision d = HaRules.decide(cluster, standbyOf("node1", 9_500).build(), sync, NOW);
        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the synchronous standby"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    /**
     * A failover request naming a candidate that is beyond maximum_lag_on_failover: that candidate refuses the
     * key, and if every other member waits for it, the cluster stays without a leader until someone deletes
     * the request. The others should not wait for a requested candidate that may not take the key.
     */
    @Test
    void requestedCandidateBeyondMaximumLagIsNotWaitedFor() {
        ClusterState cluster = noLeader().member(standby("node3", 8_000)).switchover("", "node3", 0).build();

        Decision node3 = HaRules.decide(cluster, standbyOf("node1", 8_000).build(), me().named("node3").build(), NOW);
        assertThat(node3.action()).isEqualTo(Action.NONE);
        Decision d = HaRules.decide(cluster, standbyOf("node1", 9_500).build(), me().build(), NOW);
        assertDecision(d, Action.TAKE_LEADERSHIP, "", "no leader: taking the key as the most advanced healthy candidate"
                + " (position 9500, 500 bytes behind the last primary position)");
    }

    /**
     * No leader, and this node runs as a writable primary (its agent came back after the key expired, or a
     * stopped former primary was started "as configured") but may not take the key: it must stop taking
     * writes, or the better candidate promotes beside a second writable primary.
     */
    @Test
    void writablePrimaryThatMayNotTakeTheKeyDemotes() {
        Decision d = decide(noLeader().member(standby("node3", 9_600)), primary(9_500));

        assertThat(d.action()).isEqualTo(Action.DEMOTE);
        assertThat(d.target()).isEmpty();
    }

    /**
     * The key still names this member (its agent restarted within the TTL) but the data directory is gone:
     * cloning "from the leader" would clone from itself. It must give the key up so a standby can take over.
     */
    @Test
    void leaderWithoutDataDirectoryDoesNotCloneFromItself() {
        Decision d = decide(leading(), noDataDirectory());

        assertThat(d.action()).isEqualTo(Action.RELEASE);
        assertThat(d.target()).isEmpty();
    }

    // ---- the leader stopped cleanly while leading (pgherd down, then up; an agent restart) ----

    @Test
    void aStoppedLeaderThatComesBackTakesTheKeyBackWithoutPromotion() {
        Decision d = decide(cluster().stoppedLeader(ME, 20_000, 3).member(standby("node3", 19_000).onTimeline(3)),
                stopped().wasPrimary());

        assertDecision(d, Action.RESUME, "", "no leader; this member led until its agent stopped cleanly (timeline 3,"
                + " position 20000) and no member is on a later timeline: taking the key back as the same primary");
    }

    @Test
    void aStoppedLeaderWhosePrimaryStillRunsTakesTheKeyBackToo() {
        // Only its agent was restarted: its PostgreSQL went on as the primary.
        Decision d = decide(cluster().stoppedLeader(ME, 20_000, 3), primary(20_500).wasPrimary());

        assertThat(d.action()).isEqualTo(Action.RESUME);
    }

    @Test
    void aStoppedLeaderEvenBehindAStandbyTakesTheKeyBackWhenNobodyIsOnALaterTimeline() {
        // A standby further on the same timeline only has WAL the stopped leader wrote: the leader has it too.
        Decision d = decide(cluster().stoppedLeader(ME, 20_000, 3).member(standby("node3", 20_100).onTimeline(3)),
                stopped().wasPrimary());

        assertThat(d.action()).isEqualTo(Action.RESUME);
    }

    @Test
    void theOthersWaitForTheStoppedLeaderInsteadOfFailingOver() {
        // The standby is the most advanced one the DCS shows and within the lag limit: without the rule it takes the key.
        Decision d = decide(cluster().stoppedLeader("node1", 20_000, 3).member(standby("node3", 19_000).onTimeline(3)),
                standbyOf("node1", 19_500).leaderlessFor(4_000));

        assertDecision(d, Action.NONE, "", "no leader; waiting for node1, which led until its agent stopped cleanly"
                + " (position 20000), to take the key back (for up to 10000 ms without a leader)");
    }

    @Test
    void aStoppedStandbyWaitsForTheStoppedLeaderRatherThanStartingToBeJudged() {
        Decision d = decide(cluster().stoppedLeader("node1", 20_000, 3), stopped());

        assertDecision(d, Action.NONE, "", "no leader; waiting for node1, which led until its agent stopped cleanly"
                + " (position 20000), to take the key back (for up to 10000 ms without a leader)");
    }

    @Test
    void aStoppedLeaderThatDoesNotComeBackInTimeIsFailedOverFrom() {
        Decision d = decide(cluster().stoppedLeader("node1", 20_000, 3).member(standby("node3", 19_000).onTimeline(3)),
                standbyOf("node1", 19_500).leaderlessFor(10_000));

        assertThat(d.action()).isEqualTo(Action.TAKE_LEADERSHIP);
    }

    @Test
    void aStoppedLeaderDoesNotTakeTheKeyBackWhenAMemberIsOnALaterTimeline() {
        // Someone was promoted after it stopped (it waited out the wait): the usual rules, a rewind later.
        Cluster promotedSince = cluster().stoppedLeader(ME, 20_000, 3).member(standby("node3", 30_000).onTimeline(4));

        assertThat(decide(promotedSince, stopped().wasPrimary()).action()).isEqualTo(Action.DEMOTE);
        assertThat(decide(cluster().stoppedLeader("node1", 20_000, 3).member(standby("node3", 30_000).onTimeline(4)),
                standbyOf("node1", 19_500)).sentence()).doesNotContain("waiting for node1");
    }

    @Test
    void aStoppedLeaderWhoseStartsFailedOrThatRunsAsAStandbyIsJudgedAsAnyCandidate() {
        Cluster stoppedMe = cluster().stoppedLeader(ME, 20_000, 3);

        assertThat(decide(stoppedMe, stopped().wasPrimary().failedStarts(3)).action()).isEqualTo(Action.DEMOTE);
        assertThat(decide(cluster().stoppedLeader(ME, 20_000, 3), standbyOf("", 20_000).wasPrimary()).action())
                .isEqualTo(Action.TAKE_LEADERSHIP);
    }

    @Test
    void aReadReplicaNeverTakesTheKeyBackButWaitsForTheStoppedLeader() {
        assertThat(decide(cluster().stoppedLeader(ME, 20_000, 3), primary(20_000).wasPrimary(), me().readReplica())
                .action()).isNotEqualTo(Action.RESUME);
        assertDecision(decide(cluster().stoppedLeader("node1", 20_000, 3), standbyOf("node1", 19_000), me().readReplica()),
                Action.NONE, "", "no leader; waiting for node1, which led until its agent stopped cleanly (position 20000),"
                        + " to take the key back (for up to 10000 ms without a leader)");
    }

    @Test
    void inMaintenanceModeNothingIsTakenBack() {
        assertDecision(decide(cluster().stoppedLeader(ME, 20_000, 3).paused(), stopped().wasPrimary()), Action.NONE, "",
                "no leader, but maintenance mode is on: no automatic failover");
    }

    // ---- builders ----

    private static Decision decide(Cluster cluster, Local local) {
        return decide(cluster, local, me());
    }

    private static Decision decide(Cluster cluster, Local local, Me me) {
        return HaRules.decide(cluster.build(), local.build(), me.build(), NOW);
    }

    private static Decision decide(Cluster cluster, Local local, Me me, Optional<Assignment> assignment) {
        return HaRules.decide(cluster.build(), local.build(), me.build(), assignment, NOW);
    }

    /** This member's assignment as a new read replica, not yet ready, to clone from {@code source}. */
    private static Optional<Assignment> assignedFrom(String source) {
        return Optional.of(Assignment.of(ME, Assignment.Role.REPLICA, false, "t", 1).withCloneFrom(source).withReady(false));
    }

    private static void assertDecision(Decision actual, Action action, String target, String sentence) {
        assertThat(actual).isEqualTo(new Decision(action, target, sentence));
    }

    /** An initialized cluster (by node1) with no leader, no members, no request, last position 10 000. */
    private static Cluster noLeader() {
        return cluster().lastLeaderPosition(10_000);
    }

    /** This member holds the key (epoch 42); node3 is a healthy standby at 9 500. */
    private static Cluster leading() {
        return cluster().ledBy(ME).member(standby("node3", 9_500));
    }

    /** A cluster initialized by node1, with no leader and nothing else known. */
    private static Cluster cluster() {
        return new Cluster(Optional.of("node1"));
    }

    /** Nobody has won the initialize key yet. */
    private static Cluster uninitialized() {
        return new Cluster(Optional.empty());
    }

    private static Me me() {
        return new Me();
    }

    private static Peer standby(String name, long position) {
        return new Peer(name, position);
    }

    private static Local primary(long position) {
        return new Local().running(true, false).position(position);
    }

    private static Local standbyOf(String leader, long position) {
        return new Local().running(true, true).following(leader).position(position);
    }

    private static Local stopped() {
        return new Local().running(false, false);
    }

    private static Local noDataDirectory() {
        return new Local().noDataDirectory();
    }

    /** What the DCS shows; mutable, built once per test. */
    private static final class Cluster {
        private Optional<Leader> leader = Optional.empty();
        private final Map<String, Member> members = new HashMap<>();
        private final Optional<String> initializedBy;
        private long lastLeaderPosition;
        private Optional<Switchover> switchover = Optional.empty();
        private Optional<ClusterState.Sync> sync = Optional.empty();
        private boolean paused;
        private Optional<ClusterState.StoppedLeader> stoppedLeader = Optional.empty();

        Cluster(Optional<String> initializedBy) {
            this.initializedBy = initializedBy;
        }

        Cluster ledBy(String name) {
            leader = Optional.of(new Leader(name, EPOCH));
            return this;
        }

        Cluster member(Peer peer) {
            Member m = peer.build();
            members.put(m.name(), m);
            return this;
        }

        Cluster lastLeaderPosition(long position) {
            lastLeaderPosition = position;
            return this;
        }

        Cluster switchover(String from, String to, long notBeforeMillis) {
            switchover = Optional.of(new Switchover(from, to, notBeforeMillis));
            return this;
        }

        /** The sync key names {@code name}, without saying which leader wrote it. */
        Cluster synchronousStandby(String name) {
            sync = Optional.of(ClusterState.Sync.withoutLeader(name));
            return this;
        }

        /** The sync key as written by {@code leader} ({@code standby} empty: it had no synchronous standby). */
        Cluster sync(String leader, String standby) {
            sync = Optional.of(new ClusterState.Sync(leader, standby));
            return this;
        }

        Cluster paused() {
            paused = true;
            return this;
        }

        /** {@code name} led until its agent stopped cleanly, at {@code position} on {@code timeline}. */
        Cluster stoppedLeader(String name, long position, int timeline) {
            stoppedLeader = Optional.of(new ClusterState.StoppedLeader(name, position, timeline));
            lastLeaderPosition = position;
            return this;
        }

        ClusterState build() {
            return new ClusterState(leader, members, initializedBy, lastLeaderPosition, switchover, sync, paused, stoppedLeader);
        }
    }

    /** Another member's record: a running, streaming standby of node1 with priority 1 unless changed. */
    private static final class Peer {
        private final String name;
        private final long position;
        private boolean running = true;
        private boolean inRecovery = true;
        private boolean noFailover;
        private int priority = 1;
        private int timeline = 1;
        private boolean cloneFrom;

        Peer(String name, long position) {
            this.name = name;
            this.position = position;
        }

        Peer stopped() {
            running = false;
            return this;
        }

        Peer asPrimary() {
            inRecovery = false;
            return this;
        }

        Peer readReplica() {
            noFailover = true;
            return this;
        }

        Peer priority(int p) {
            priority = p;
            return this;
        }

        /** Tagged clonefrom: new members clone from it. */
        Peer cloneFrom() {
            cloneFrom = true;
            return this;
        }

        /** Its PostgreSQL runs but has not answered yet (still starting): no timeline known. */
        Peer starting() {
            timeline = 0;
            return this;
        }

        Peer onTimeline(int t) {
            timeline = t;
            return this;
        }

        Member build() {
            return new Member(name, noFailover ? "replica" : "standby", running ? "running" : "stopped", "127.0.0.1", 5432,
                    "http://127.0.0.1:8008", running, inRecovery, timeline, position, position, noFailover, priority,
                    inRecovery ? "node1" : "", false, java.util.List.of(), false, cloneFrom);
        }
    }

    /** This node: DCS reachable, session alive, a data directory, no failed starts, unless changed. */
    private static final class Local {
        private boolean dcsReachable = true;
        private boolean sessionAlive = true;
        private boolean dataDirectory = true;
        private boolean running;
        private boolean inRecovery;
        private boolean wasPrimary;
        private String following = "";
        private long position;
        private int failedStarts;
        private long stuckMillis;
        private long leaderlessMillis;
        private boolean leaseConfirmed = true;

        Local running(boolean isRunning, boolean isInRecovery) {
            running = isRunning;
            inRecovery = isInRecovery;
            return this;
        }

        Local following(String leader) {
            following = leader;
            return this;
        }

        Local position(long p) {
            position = p;
            return this;
        }

        Local noDataDirectory() {
            dataDirectory = false;
            return this;
        }

        Local dcsUnreachable() {
            dcsReachable = false;
            return this;
        }

        Local sessionLost() {
            sessionAlive = false;
            return this;
        }

        Local wasPrimary() {
            wasPrimary = true;
            return this;
        }

        Local failedStarts(int n) {
            failedStarts = n;
            return this;
        }

        Local stuckFor(long millis) {
            stuckMillis = millis;
            return this;
        }

        Local leaseUnconfirmed() {
            leaseConfirmed = false;
            return this;
        }

        Local leaderlessFor(long millis) {
            leaderlessMillis = millis;
            return this;
        }

        LocalState build() {
            return new LocalState(dcsReachable, sessionAlive, dataDirectory, running, inRecovery, wasPrimary, following,
                    position, failedStarts, stuckMillis, leaderlessMillis, leaseConfirmed);
        }
    }

    /** This member's settings: node2, a candidate with priority 1, lag limit 1 000 bytes, 3 start attempts. */
    private static final class Me {
        private String name = ME;
        private boolean noFailover;
        private boolean synchronousMode;

        Me named(String n) {
            name = n;
            return this;
        }

        Me readReplica() {
            noFailover = true;
            return this;
        }

        Me synchronousMode() {
            synchronousMode = true;
            return this;
        }

        HaSettings build() {
            return new HaSettings(name, noFailover, 1, 1_000, synchronousMode, 3);
        }
    }
}
