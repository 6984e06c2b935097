package io.pgherd.proxy.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.pgherd.proxy.config.ProxyConfig;

/** What the proxy records of one node: failures, positions, work sent. */
class NodeStateTest {
    private final NodeState replica = new NodeState(new ProxyConfig.Node("r1", "127.0.0.1", 5433, ProxyConfig.Role.REPLICA, 1));

    @Test
    void aNodeIsDownUntilItsFirstCheckAndLagIsUnknownUntilThen() {
        assertThat(replica.isUp()).isFalse();
        assertThat(replica.checked()).isFalse();
        assertThat(replica.downReason()).isEqualTo("not checked yet");
        assertThat(replica.lagBytes()).isEqualTo(-1);
        assertThat(replica.lagSeconds()).isEqualTo(-1);

        replica.checked(true, 100, 5, 0.25);

        assertThat(replica.isUp()).isTrue();
        assertThat(replica.downReason()).isNull();
        assertThat(replica.lagBytes()).isEqualTo(5);
        assertThat(replica.lagSeconds()).isEqualTo(0.25);
        assertThat(replica.inRecovery()).isTrue();
    }

    @Test
    void aFailureIsCountedOnceWhileTheNodeStaysDown() {
        replica.checked(true, 100, 0, 0);

        replica.markDown("connection refused");
        replica.markDown("connection refused again");
        replica.checkFailed("health check failed: timeout");

        assertThat(replica.failures()).isEqualTo(1);
        assertThat(replica.downReason()).isEqualTo("health check failed: timeout");

        replica.checked(true, 100, 0, 0);
        replica.markDown("terminated");
        assertThat(replica.failures()).isEqualTo(2);
    }

    @Test
    void aNodeThatFailsItsFirstCheckWasNeverInRotationSoNoFailureIsCounted() {
        replica.checkFailed("health check failed: refused");

        assertThat(replica.checked()).isTrue();
        assertThat(replica.isUp()).isFalse();
        assertThat(replica.failures()).isZero();
    }

    @Test
    void aReplicasPositionOnlyGrowsButANodeOutOfRecoveryReportsItsOwn() {
        replica.checked(true, 500, 0, 0);
        replica.checked(true, 400, 0, 0);
        replica.observed(450);
        assertThat(replica.walPosition()).isEqualTo(500);

        replica.checked(false, 300, 0, 0);
        assertThat(replica.walPosition()).as("promoted or rebuilt: its own WAL position counts").isEqualTo(300);
    }

    @Test
    void readsWritesAndOutstandingWorkAreCounted() {
        replica.sent(true);
        replica.sent(true);
        replica.sent(false);
        replica.linked();
        replica.linked();
        replica.finished();

        assertThat(replica.reads()).isEqualTo(2);
        assertThat(replica.writes()).isEqualTo(1);
        assertThat(replica.outstanding()).isEqualTo(1);
    }
}
