package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.controller.requests.RequestRefused;
import io.pgherd.controller.requests.SwitchoverRequest;
import io.pgherd.controller.requests.SwitchoverRequest.Type;
import io.pgherd.controller.requests.SwitchoverRequest.Progress;

class SwitchoverRequestTest {
    private static final ClusterState TYPICAL = Clusters.typical();

    @Test
    void switchoverToARunningStandbyIsFromTheCurrentLeader() {
        SwitchoverRequest r = SwitchoverRequest.switchover(TYPICAL, "", "n2", 0);

        assertThat(r).isEqualTo(new SwitchoverRequest(Type.SWITCHOVER, "n1", "n2", 0, "n1"));
        assertThat(r.summary()).isEqualTo("switchover from n1 to n2");
    }

    @Test
    void switchoverWithoutCandidateGoesToTheBestOne() {
        SwitchoverRequest r = SwitchoverRequest.switchover(TYPICAL, "n1", "", 1_893_553_445_000L);

        assertThat(r.to()).isEmpty();
        assertThat(r.summary()).isEqualTo("switchover from n1 to the best candidate, not before 2030-01-02T03:04:05Z");
    }

    @Test
    void switchoverFromAMemberThatDoesNotLeadIsRefused() {
        assertThatThrownBy(() -> SwitchoverRequest.switchover(TYPICAL, "n2", "n5", 0)).isInstanceOf(RequestRefused.class)
                .hasMessage("leader name does not match: the leader is n1 (got --leader n2)");
    }

    @Test
    void switchoverWithoutLeaderIsRefusedPointingToFailover() {
        assertThatThrownBy(() -> SwitchoverRequest.switchover(Clusters.ledBy(TYPICAL, Optional.empty()), "", "n2", 0))
                .hasMessage("the cluster has no leader, so there is nothing to switch over from;"
                        + " use 'pgherd failover --candidate NAME' instead");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "n3 | candidate n3 is a read replica (nofailover): it is never promoted; pick a standby",
            "n4 | candidate n4 is not running (state stopped)",
            "n1 | candidate n1 already is the leader",
            "n9 | candidate n9 is not a member of the cluster (members: n1, n2, n3, n4, n5)"})
    void candidateThatCannotLeadIsRefused(String candidate, String message) {
        assertThatThrownBy(() -> SwitchoverRequest.switchover(TYPICAL, "", candidate, 0)).hasMessage(message);
        assertThatThrownBy(() -> SwitchoverRequest.failover(TYPICAL, candidate)).hasMessage(message);
    }

    @Test
    void candidateRunningAsAPrimaryIsRefused() {
        ClusterState twoPrimaries = Clusters.state(Optional.of("n1"), Clusters.leader("n1"), Clusters.leader("n2"));

        assertThatThrownBy(() -> SwitchoverRequest.switchover(twoPrimaries, "", "n2", 0))
                .hasMessage("candidate n2 is not a standby: its PostgreSQL runs as a primary");
    }

    @Test
    void nothingIsRequestedWhilePaused() {
        ClusterState paused = Clusters.with(TYPICAL, Optional.empty(), Optional.empty(), true);

        assertThatThrownBy(() -> SwitchoverRequest.switchover(paused, "", "n2", 0))
                .hasMessage("maintenance mode is on and the agents do not act on a switchover while it is; run 'pgherd resume' first");
        assertThatThrownBy(() -> SwitchoverRequest.failover(paused, "n2"))
                .hasMessage("maintenance mode is on and the agents do not act on a failover while it is; run 'pgherd resume' first");
    }

    @Test
    void aPendingRequestMustBeCancelledFirst() {
        ClusterState pending = Clusters.with(TYPICAL, Optional.of(new ClusterState.Switchover("n1", "n5", 0)),
                Optional.empty(), false);

        assertThatThrownBy(() -> SwitchoverRequest.switchover(pending, "", "n2", 0))
                .hasMessage("a switchover is already pending (from n1 to n5); cancel it first with 'pgherd switchover --cancel'");
    }

    @Test
    void inSynchronousModeASwitchoverGoesOnlyToTheSynchronousStandby() {
        ClusterState sync = Clusters.with(TYPICAL, Optional.empty(), Optional.of("n5"), false);

        assertThatThrownBy(() -> SwitchoverRequest.switchover(sync, "", "n2", 0))
                .hasMessage("in synchronous mode only the synchronous standby n5 may take over (got candidate n2)");
        assertThat(SwitchoverRequest.switchover(sync, "", "n5", 0).to()).isEqualTo("n5");
    }

    @Test
    void withoutAnyRunningStandbyThereIsNothingToSwitchOverTo() {
        ClusterState alone = Clusters.state(Optional.of("n1"), Clusters.leader("n1"), Clusters.replica("n3"), Clusters.stopped("n4"));

        assertThatThrownBy(() -> SwitchoverRequest.switchover(alone, "", "", 0))
                .hasMessage("switchover is not possible: no running standby may take over");
    }

    @Test
    void failoverIsFromWhoeverLeadsAndNeedsACandidateWithoutLeader() {
        assertThat(SwitchoverRequest.failover(TYPICAL, "n5")).isEqualTo(new SwitchoverRequest(Type.FAILOVER, "", "n5", 0, "n1"));
        ClusterState leaderless = Clusters.ledBy(TYPICAL, Optional.empty());

        SwitchoverRequest r = SwitchoverRequest.failover(leaderless, "n2");

        assertThat(r).isEqualTo(new SwitchoverRequest(Type.FAILOVER, "", "n2", 0, ""));
        assertThat(r.summary()).isEqualTo("failover to n2 (the cluster has no leader)");
        assertThatThrownBy(() -> SwitchoverRequest.failover(leaderless, ""))
                .hasMessageContaining("the cluster has no leader and the agents elect the best candidate by themselves");
    }

    @Test
    void progressIsDoneOnlyWhenTheCandidateLeads() {
        SwitchoverRequest r = new SwitchoverRequest(Type.SWITCHOVER, "n1", "n2", 0, "n1");
        Optional<ClusterState.Switchover> pending = Optional.of(new ClusterState.Switchover("n1", "n2", 0));
        ClusterState requested = Clusters.with(TYPICAL, pending, Optional.empty(), false);

        assertThat(r.progress(requested)).isEqualTo(Progress.PENDING);
        assertThat(r.progress(Clusters.ledBy(requested, Optional.empty()))).isEqualTo(Progress.PENDING);
        assertThat(r.progress(Clusters.ledBy(TYPICAL, Optional.empty()))).isEqualTo(Progress.PENDING);
        assertThat(r.progress(Clusters.ledBy(TYPICAL, Optional.of("n2")))).isEqualTo(Progress.DONE);
        assertThat(r.progress(Clusters.ledBy(TYPICAL, Optional.of("n5")))).isEqualTo(Progress.OTHER_LEADER);
        assertThat(r.progress(TYPICAL)).isEqualTo(Progress.CANCELLED);
    }

    @Test
    void withoutCandidateAnyNewLeaderCompletesTheRequest() {
        SwitchoverRequest r = new SwitchoverRequest(Type.FAILOVER, "", "", 0, "n1");

        assertThat(r.progress(Clusters.ledBy(TYPICAL, Optional.of("n5")))).isEqualTo(Progress.DONE);
        assertThat(r.progress(TYPICAL)).isEqualTo(Progress.CANCELLED);
    }

    @ParameterizedTest
    @CsvSource({"2030-01-02T03:04:05Z, 2030-01-02T03:04:05Z", "2030-01-02T03:04+02, 2030-01-02T01:04:00Z",
            "2030-01-02T03:04:05.5+0200, 2030-01-02T01:04:05.500Z", "' 2030-01-02T03:04:05-01:30 ', 2030-01-02T04:34:05Z"})
    void scheduledTimesTakeAnyOffsetSpelling(String text, String instant) {
        assertThat(SwitchoverRequest.parseScheduled(text)).isEqualTo(Instant.parse(instant));
    }

    @Test
    void scheduledTimeWithoutOffsetIsRefused() {
        assertThatThrownBy(() -> SwitchoverRequest.parseScheduled("2030-01-02T03:04:05"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("needs a time zone offset such as Z or +02:00 (got '2030-01-02T03:04:05')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tomorrow", "2030-01-02", "2030-13-02T03:04:05Z", ""})
    void scheduledTimeThatIsNotOneIsRefused(String text) {
        assertThatThrownBy(() -> SwitchoverRequest.parseScheduled(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("must be an ISO-8601 time such as 2030-01-02T03:04:05+02:00");
    }
    @Test
    void theQuestionNamesTheLeaderAndTheCandidate() {
        assertThat(SwitchoverRequest.switchover(TYPICAL, "", "n5", 0).question(TYPICAL)).isEqualTo("Switch over from n1 to n5?");
        assertThat(SwitchoverRequest.failover(TYPICAL, "n5").question(TYPICAL)).isEqualTo("Fail over from n1 to n5?");
        ClusterState leaderless = Clusters.ledBy(TYPICAL, Optional.empty());
        assertThat(SwitchoverRequest.failover(leaderless, "n2").question(leaderless))
                .isEqualTo("Fail over to n2 (the cluster has no leader)?");
        assertThat(SwitchoverRequest.switchover(TYPICAL, "", "n2", 1_893_553_445_000L).question(TYPICAL))
                .isEqualTo("Switch over from n1 to n2, not before 2030-01-02T03:04:05Z?");
    }

    @Test
    void withoutACandidateTheQuestionNamesTheOneTheAgentsWouldPick() {
        // n2 is further along than n5; n3 is a read replica, n4 is stopped.
        assertThat(SwitchoverRequest.switchover(TYPICAL, "", "", 0).question(TYPICAL))
                .isEqualTo("Switch over from n1 to n2 (the best candidate now)?");
        ClusterState sync = Clusters.with(TYPICAL, Optional.empty(), Optional.of("n5"), false);
        assertThat(SwitchoverRequest.switchover(sync, "", "", 0).question(sync))
                .isEqualTo("Switch over from n1 to n5 (the best candidate now)?");
        ClusterState priority = Clusters.state(Optional.of("n1"), Clusters.leader("n1"), Clusters.standby("n2", 100),
                Clusters.standby("n3", 100));
        assertThat(SwitchoverRequest.switchover(priority, "n1", "", 0).question(priority))
                .isEqualTo("Switch over from n1 to n2 (the best candidate now)?");
    }
}
