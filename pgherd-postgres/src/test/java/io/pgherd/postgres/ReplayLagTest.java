package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link LocalCluster#lagSeconds}: a standby's replay lag from {@code pg_stat_replication}. The case of no replay_lag
 * while bytes are still to replay (just after a switchover) once threw a NullPointerException through a ternary's
 * unboxing, and {@code pgherd status} failed with it.
 */
class ReplayLagTest {
    @Test
    void theReplayLagWhenThereIsOne() {
        assertThat(LocalCluster.lagSeconds(0.25, 4096L)).isEqualTo(0.25);
    }

    @Test
    void noReplayLagAndNothingToReplayIsZero() {
        assertThat(LocalCluster.lagSeconds(null, 0L)).isEqualTo(0.0);
    }

    @Test
    void noReplayLagWithBytesStillToReplayIsUnknown() {
        assertThat(LocalCluster.lagSeconds(null, 8192L)).isNull();
        assertThat(LocalCluster.lagSeconds(null, null)).isNull();
    }
}
