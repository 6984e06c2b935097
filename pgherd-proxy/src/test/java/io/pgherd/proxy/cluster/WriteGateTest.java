package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.pgherd.proxy.cluster.WriteGate.Reason;

class WriteGateTest {

    @Test
    void aFollowingProxyStartsHeldUntilTheLeaderIsConfirmed() {
        WriteGate gate = new WriteGate(false, () -> { });
        assertThat(gate.isOpen()).isFalse();
        assertThat(gate.heldFor(Reason.UNCONFIRMED)).isTrue();
        assertThat(gate.why()).startsWith("the leader is not yet confirmed to accept writes (writes held for ");

        gate.clear(Reason.UNCONFIRMED);
        assertThat(gate.isOpen()).isTrue();
        assertThat(gate.why()).isEmpty();
        assertThat(new WriteGate(true, () -> { }).isOpen()).as("fixed nodes: open from the start").isTrue();
    }

    @Test
    void itOpensOnlyWhenEveryReasonHasClearedAndThenRunsTheWaitersInOrder() {
        WriteGate gate = new WriteGate(true, () -> { });
        List<String> ran = new ArrayList<>();
        gate.close(Reason.NO_LEADER);
        gate.close(Reason.SWITCHOVER);
        gate.whenOpen(() -> ran.add("first"));
        gate.whenOpen(() -> ran.add("second"));
        Runnable gone = () -> ran.add("forgotten");
        gate.whenOpen(gone);
        gate.forget(gone);

        gate.clear(Reason.NO_LEADER);
        assertThat(gate.isOpen()).isFalse();
        assertThat(ran).isEmpty();
        assertThat(gate.why()).startsWith("a switchover is under way (");

        gate.clear(Reason.DCS_UNREACHABLE);
        assertThat(ran).as("clearing a reason it was not held for changes nothing").isEmpty();

        gate.clear(Reason.SWITCHOVER);
        assertThat(gate.isOpen()).isTrue();
        assertThat(ran).containsExactly("first", "second");

        gate.whenOpen(() -> ran.add("now"));
        assertThat(ran).as("open: runs at once").containsExactly("first", "second", "now");
    }

    @Test
    void aChangeOfLeaderLeavesOneTimelineCompletedByTheFirstWrite() {
        AtomicInteger told = new AtomicInteger();
        WriteGate gate = new WriteGate(true, told::incrementAndGet);
        gate.wrote();
        assertThat(told).as("no change of leader: nothing to record").hasValue(0);

        long before = System.currentTimeMillis();
        gate.close(Reason.UNCONFIRMED);
        gate.close(Reason.NO_LEADER);
        gate.clear(Reason.NO_LEADER);
        gate.leaderSeen("node2", 42);
        assertThat(gate.takeFinished()).isNull();
        gate.clear(Reason.UNCONFIRMED);
        gate.wrote();
        gate.wrote();

        assertThat(told).as("told once").hasValue(1);
        WriteGate.Timeline t = gate.takeFinished();
        assertThat(t).isNotNull();
        assertThat(t.leader()).isEqualTo("node2");
        assertThat(t.epoch()).isEqualTo(42);
        assertThat(t.failureSeen()).isBetween(before, t.leaderSeen());
        assertThat(t.leaderSeen()).isLessThanOrEqualTo(t.opened());
        assertThat(t.opened()).isLessThanOrEqualTo(t.firstWrite());
        assertThat(gate.takeFinished()).as("taken once").isNull();
    }

    @Test
    void aPrimaryThatComesBackWithoutANewLeaderLeavesNoTimeline() {
        AtomicInteger told = new AtomicInteger();
        WriteGate gate = new WriteGate(true, told::incrementAndGet);
        gate.close(Reason.UNCONFIRMED);
        gate.clear(Reason.UNCONFIRMED);
        gate.wrote();
        assertThat(told).hasValue(0);
        assertThat(gate.takeFinished()).isNull();

        // The failure seen before a restart in place is not carried into the next change of leader.
        long first = System.currentTimeMillis();
        while (System.currentTimeMillis() == first) {
            Thread.onSpinWait(); // the next millisecond, so both failures cannot share a timestamp
        }
        long second = System.currentTimeMillis();
        gate.close(Reason.NO_LEADER);
        gate.leaderSeen("node3", 7);
        gate.clear(Reason.NO_LEADER);
        gate.wrote();
        assertThat(gate.takeFinished().failureSeen()).isGreaterThanOrEqualTo(second);
    }

    @Test
    void aPromotionNobodyWritesAfterIsRecordedWithoutAFirstWriteOnceTheWindowHasPassed() {
        AtomicInteger told = new AtomicInteger();
        WriteGate gate = new WriteGate(true, told::incrementAndGet, 1_000);
        gate.close(Reason.NO_LEADER);
        gate.leaderSeen("node2", 9);
        gate.clear(Reason.NO_LEADER);
        long opened = System.currentTimeMillis();

        assertThat(gate.expireFirstWrite(opened + 500)).as("within the window: a write may still come").isFalse();
        assertThat(told).hasValue(0);
        assertThat(gate.expireFirstWrite(opened + 60_000)).isTrue();
        assertThat(told).as("told once, so the follower records it").hasValue(1);
        WriteGate.Timeline t = gate.takeFinished();
        assertThat(t.leader()).isEqualTo("node2");
        assertThat(t.opened()).isPositive();
        assertThat(t.firstWrite()).as("no write seen").isZero();

        gate.wrote();
        assertThat(gate.expireFirstWrite(opened + 120_000)).isFalse();
        assertThat(told).as("a write minutes later measures nothing").hasValue(1);
    }

    @Test
    void aFirstWriteAfterTheWindowIsNotRecordedAsTheFirstWrite() throws Exception {
        WriteGate gate = new WriteGate(true, () -> { }, 0);
        gate.close(Reason.NO_LEADER);
        gate.leaderSeen("node2", 9);
        gate.clear(Reason.NO_LEADER);
        long opened = System.currentTimeMillis();
        while (System.currentTimeMillis() == opened) {
            Thread.onSpinWait(); // past a window of 0 ms
        }
        gate.wrote();
        assertThat(gate.takeFinished().firstWrite()).isZero();
    }
}
