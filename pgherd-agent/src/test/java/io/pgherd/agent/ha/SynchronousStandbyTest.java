package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.pgherd.agent.ha.ClusterState.Sync;
import io.pgherd.agent.ha.SynchronousStandby.Plan;
import io.pgherd.agent.ha.SynchronousStandby.Sender;
import io.pgherd.cluster.Member;

/**
 * The leader's synchronous-mode choices: which standby, and which of the ordered steps (key names
 * nobody, synchronous_standby_names, key names the confirmed standby) a cycle takes, with the
 * sentence it logs. This leader is always {@value #ME}; its standbys are node1, node3 and node4.
 */
class SynchronousStandbyTest {
    private static final String ME = "node2";
    private static final Map<String, Member> MEMBERS = members(standby("node1", 1), standby("node3", 1),
            standby("node4", 1));

    // ---- choosing ----

    @Test
    void theStandbyTheKeyNamesStaysWhileItStreamsThoughAnotherFlushedMore() {
        Optional<String> chosen = SynchronousStandby.choose(ME, key(ME, "node3"), "\"node3\"", MEMBERS,
                List.of(streaming("node3", 100), streaming("node4", 900)));

        assertThat(chosen).contains("node3");
    }

    @Test
    void theStandbyThatFlushedMostReplacesOneThatNoLongerStreams() {
        Optional<String> chosen = SynchronousStandby.choose(ME, key(ME, "node3"), "\"node3\"", MEMBERS,
                List.of(sender("node3", "catchup", "sync", 1, 100), streaming("node1", 500), streaming("node4", 900)));

        assertThat(chosen).contains("node4");
    }

    @Test
    void aChangeBegunInAnEarlierCycleIsFinishedRatherThanRestarted() {
        Optional<String> chosen = SynchronousStandby.choose(ME, key(ME, ""), "\"node1\"", MEMBERS,
                List.of(streaming("node1", 100), streaming("node4", 900)));

        assertThat(chosen).contains("node1");
    }

    @Test
    void aKeyWrittenByAnotherLeaderIsNoReasonToKeepItsStandby() {
        // After a failover the key still holds what the previous leader wrote.
        Optional<String> chosen = SynchronousStandby.choose(ME, key("node1", "node3"), "", MEMBERS,
                List.of(streaming("node3", 100), streaming("node4", 900)));

        assertThat(chosen).contains("node4");
    }

    @Test
    void amongEquallyFlushedStandbysTheHigherPriorityThenTheLowerNameWins() {
        Map<String, Member> members = members(standby("node1", 1), standby("node3", 5), standby("node4", 5));

        assertThat(SynchronousStandby.choose(ME, Optional.empty(), "", members,
                List.of(streaming("node1", 500), streaming("node4", 500), streaming("node3", 500)))).contains("node3");
    }

    @Test
    void readReplicasStoppedOrUnknownMembersAndPrimariesAreNeverChosen() {
        Map<String, Member> members = members(replica("node1"), standby("node3", 1).stopped(), primary("node4"));

        Optional<String> chosen = SynchronousStandby.choose(ME, Optional.empty(), "", members,
                List.of(streaming("node1", 900), streaming("node3", 900), streaming("node4", 900), streaming("node9", 900)));

        assertThat(chosen).isEmpty();
    }

    @Test
    void aStandbyThatDoesNotStreamYetIsNotChosen() {
        Optional<String> chosen = SynchronousStandby.choose(ME, Optional.empty(), "", MEMBERS,
                List.of(sender("node3", "catchup", "async", 0, 0), sender("node4", "backup", "async", 0, 0)));

        assertThat(chosen).isEmpty();
    }

    // ---- planning ----

    @Test
    void aConfirmedSynchronousStandbyNeedsNothing() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, "node3"), "\"node3\"", MEMBERS, List.of(syncStreaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", false, false, false, "synchronous standby node3");
        assertThat(plan.steady()).isTrue();
    }

    @Test
    void noStreamingCandidateAndAKeyNamingNobodyNeedsNothing() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, ""), "", MEMBERS, List.of());

        assertPlan(plan, "", "", false, false, false, "synchronous mode without a synchronous standby (none streams):"
                + " commits are acknowledged without one, and no standby takes the key automatically");
    }

    @Test
    void afterBootstrapTheKeyNamesNobodyUntilTheFirstStandbyIsConfirmed() {
        Plan plan = SynchronousStandby.plan(ME, Optional.empty(), "", MEMBERS, List.of(streaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", true, true, true,
                "making node3 the synchronous standby; the sync key names it once it has every acknowledged commit");
    }

    @Test
    void replacingTheSynchronousStandbyEmptiesTheKeyBeforeChangingPostgres() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, "node3"), "\"node3\"", MEMBERS, List.of(streaming("node4", 100)));

        assertPlan(plan, "node4", "\"node4\"", true, true, true, "making node4 the synchronous standby instead of node3"
                + " (no longer a streaming candidate); the sync key names it once it has every acknowledged commit");
    }

    @Test
    void withoutStreamingCandidateTheKeyNamesNobodyAndTheNamesAreCleared() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, "node3"), "\"node3\"", MEMBERS, List.of());

        assertPlan(plan, "", "", true, true, false, "no failover candidate streams: synchronous_standby_names cleared so"
                + " writes go on (node3 was synchronous), and the sync key names no standby, so none takes the key"
                + " automatically");
    }

    @Test
    void aNewLeaderReplacesTheKeyThatNamesItself() {
        Plan plan = SynchronousStandby.plan(ME, key("node1", ME), "", MEMBERS, List.of(streaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", true, true, true,
                "making node3 the synchronous standby; the sync key names it once it has every acknowledged commit");
    }

    @Test
    void aNewLeaderThatClaimedTheKeyOnlyConfirmsItsFirstStandby() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, ""), "", MEMBERS, List.of(streaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", false, true, true,
                "making node3 the synchronous standby; the sync key names it once it has every acknowledged commit");
    }

    @Test
    void aChangeWhoseConfirmationTimedOutIsOnlyConfirmedAgain() {
        Plan plan = SynchronousStandby.plan(ME, key(ME, ""), "\"node3\"", MEMBERS, List.of(streaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", false, false, true,
                "making node3 the synchronous standby; the sync key names it once it has every acknowledged commit");
    }

    @Test
    void namesChangedBehindTheLeadersBackMakeTheKeyNameNobodyUntilConfirmedAgain() {
        // Commits may have been acknowledged without node3 meanwhile, so the key may no longer name it.
        Plan plan = SynchronousStandby.plan(ME, key(ME, "node3"), "", MEMBERS, List.of(streaming("node3", 100)));

        assertPlan(plan, "node3", "\"node3\"", true, true, true,
                "making node3 the synchronous standby; the sync key names it once it has every acknowledged commit");
    }

    // ---- confirming ----

    @Test
    void aStandbyIsConfirmedWhenItIsTheOnlySenderWithAPriority() {
        assertThat(SynchronousStandby.confirmed("node3", List.of(syncStreaming("node3", 100), streaming("node4", 900))))
                .isTrue();
    }

    @Test
    void aStandbyIsNotConfirmedWhileAnotherSenderStillHasAPriority() {
        // node4's sender has not applied the reload yet: it could still release commits node3 lacks.
        assertThat(SynchronousStandby.confirmed("node3", List.of(syncStreaming("node3", 100),
                sender("node4", "streaming", "potential", 1, 900)))).isFalse();
    }

    @Test
    void aStandbyIsNotConfirmedBeforeItIsSynchronousOrWhenAbsent() {
        assertThat(SynchronousStandby.confirmed("node3", List.of(sender("node3", "streaming", "async", 0, 100)))).isFalse();
        assertThat(SynchronousStandby.confirmed("node3", List.of(sender("node3", "catchup", "sync", 1, 100)))).isFalse();
        assertThat(SynchronousStandby.confirmed("node3", List.of())).isFalse();
    }

    // ---- names ----

    @Test
    void namesQuoteTheStandbyAsAnIdentifierAndReadBack() {
        assertThat(SynchronousStandby.names("node-1.a")).isEqualTo("\"node-1.a\"");
        assertThat(SynchronousStandby.names("odd\"name")).isEqualTo("\"odd\"\"name\"");
        assertThat(SynchronousStandby.named(SynchronousStandby.names("odd\"name"))).contains("odd\"name");
        assertThat(SynchronousStandby.named("\"node3\"")).contains("node3");
    }

    @Test
    void namesNotWrittenByTheAgentNameNoStandby() {
        assertThat(SynchronousStandby.named("")).isEmpty();
        assertThat(SynchronousStandby.named("*")).isEmpty();
        assertThat(SynchronousStandby.named("node3")).isEmpty();
        assertThat(SynchronousStandby.named("\"node1\", \"node3\"")).isEmpty();
        assertThat(SynchronousStandby.named("FIRST 1 (\"node3\")")).isEmpty();
    }

    private static void assertPlan(Plan plan, String standby, String names, boolean emptyKeyFirst, boolean setNames,
                                   boolean confirm, String sentence) {
        assertThat(plan).isEqualTo(new Plan(standby, names, emptyKeyFirst, setNames, confirm, sentence));
    }

    private static Optional<Sync> key(String leader, String standby) {
        return Optional.of(new Sync(leader, standby));
    }

    private static Sender streaming(String name, long flushed) {
        return sender(name, "streaming", "async", 0, flushed);
    }

    private static Sender syncStreaming(String name, long flushed) {
        return sender(name, "streaming", "sync", 1, flushed);
    }

    private static Sender sender(String name, String state, String syncState, int priority, long flushed) {
        return new Sender(name, state, syncState, priority, flushed);
    }

    private static Map<String, Member> members(Peer... peers) {
        return Arrays.stream(peers).map(Peer::build).collect(Collectors.toMap(Member::name, Function.identity()));
    }

    private static Peer standby(String name, int priority) {
        return new Peer(name, "standby", true, priority);
    }

    private static Peer replica(String name) {
        return new Peer(name, "replica", true, 1);
    }

    private static Peer primary(String name) {
        return new Peer(name, "standby", false, 1);
    }

    /** A member record: running unless stopped, following this leader when in recovery. */
    private static final class Peer {
        private final String name;
        private final String role;
        private final boolean inRecovery;
        private final int priority;
        private boolean running = true;

        Peer(String name, String role, boolean inRecovery, int priority) {
            this.name = name;
            this.role = role;
            this.inRecovery = inRecovery;
            this.priority = priority;
        }

        Peer stopped() {
            running = false;
            return this;
        }

        Member build() {
            return new Member(name, role, running ? "streaming" : "stopped", "127.0.0.1", 5432, "http://127.0.0.1:8008",
                    running, inRecovery, 1, 0, 0, role.equals("replica"), priority, inRecovery ? ME : "");
        }
    }
}
