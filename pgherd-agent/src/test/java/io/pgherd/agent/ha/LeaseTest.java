package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lease rules as tables: times are milliseconds, turned into nanoseconds. */
class LeaseTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "ttl {0} ms: renew every {1} ms, margin {2} ms")
    @CsvSource({
            "10000, 1000, 2500",
            "8000, 1000, 2000",
            "4000, 500, 1000",
            "2000, 250, 1000",
            "1000, 125, 500",
            "500, 100, 250",
            "60000, 1000, 15000",
    })
    void renewalAndMarginFollowTheTtl(long ttl, long renewEvery, long margin) {
        Lease lease = Lease.of(Duration.ofMillis(ttl));

        assertThat(lease.renewEveryNanos()).isEqualTo(renewEvery * MS);
        assertThat(lease.marginNanos()).isEqualTo(margin * MS);
    }

    @ParameterizedTest(name = "now {0}, last asked {1}: due {2}")
    @CsvSource({
            "1000, 0, true",
            "999, 0, false",
            "5000, 4500, false",
            "5000, 3999, true",
    })
    void aRenewalIsDueEveryEighthOfTheTtl(long now, long lastAsked, boolean due) {
        assertThat(Lease.of(Duration.ofSeconds(8)).renewDue(now * MS, lastAsked * MS)).isEqualTo(due);
    }

    /** ttl 8 s: margin 2 s. */
    @ParameterizedTest(name = "holds key {0}, now {1}, expires not before {2}: confirmed {3}, fence {4}")
    @CsvSource({
            "true, 0, 8000, true, false",
            "true, 5999, 8000, true, false",
            "true, 6000, 8000, false, true",
            "true, 9000, 8000, false, true",
            "false, 6000, 8000, false, false",
            "false, 9000, 8000, false, false",
    })
    void aLeaderFencesOnceItsSessionIsNoLongerProvenToOutliveTheMargin(boolean holds, long now, long expires,
                                                                      boolean confirmed, boolean fence) {
        Lease lease = Lease.of(Duration.ofSeconds(8));

        assertThat(lease.confirmed(now * MS, expires * MS)).isEqualTo(confirmed);
        assertThat(lease.mustFence(holds, now * MS, expires * MS)).isEqualTo(fence);
    }

    @ParameterizedTest(name = "now {0}, expires {1}: {2} ms left")
    @CsvSource({"0, 8000, 8000", "9000, 8000, -1000"})
    void millisLeftIsNegativeOncePast(long now, long expires, long left) {
        assertThat(Lease.millisLeft(now * MS, expires * MS)).isEqualTo(left);
    }
}
