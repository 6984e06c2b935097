package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** What a session's client can prove about its expiry: from when confirmed requests were sent. */
class RenewalsTest {
    private static final Duration TTL = Duration.ofSeconds(8);
    private static final long S = 1_000_000_000L;

    @Test
    void aNewSessionLivesItsTtlFromWhenItWasAskedFor() {
        Renewals renewals = new Renewals(TTL, 100 * S);

        assertThat(renewals.expiresNotBeforeNanos()).isEqualTo(108 * S);
    }

    @Test
    void aConfirmedRenewalCountsFromWhenItWasSentNotAnswered() {
        Renewals renewals = new Renewals(TTL, 100 * S);

        assertThat(renewals.begin(103 * S)).isTrue();
        renewals.confirmed(103 * S);

        assertThat(renewals.expiresNotBeforeNanos()).isEqualTo(111 * S);
    }

    @Test
    void aFailedOrUnansweredRenewalProvesNothing() {
        Renewals renewals = new Renewals(TTL, 100 * S);

        assertThat(renewals.begin(103 * S)).isTrue();
        renewals.failed(103 * S);

        assertThat(renewals.expiresNotBeforeNanos()).isEqualTo(108 * S);
    }

    @Test
    void oneRenewalIsInFlightAtATimeUntilAnsweredOrOlderThanTheTtl() {
        Renewals renewals = new Renewals(TTL, 100 * S);

        assertThat(renewals.begin(101 * S)).isTrue();
        assertThat(renewals.begin(102 * S)).as("the first is unanswered").isFalse();
        assertThat(renewals.begin(109 * S)).as("exactly the ttl later").isFalse();
        assertThat(renewals.begin(109 * S + 1)).as("unanswered for longer than the ttl").isTrue();
        renewals.confirmed(101 * S);
        assertThat(renewals.begin(110 * S)).as("the late answer of the first does not free the second's turn").isFalse();
        renewals.confirmed(109 * S + 1);
        assertThat(renewals.begin(110 * S)).isTrue();
    }

    @Test
    void aLateAnswerToAnOlderRenewalNeverMovesTheExpiryBack() {
        Renewals renewals = new Renewals(TTL, 100 * S);
        renewals.begin(101 * S);
        renewals.confirmed(105 * S);

        renewals.confirmed(101 * S);

        assertThat(renewals.expiresNotBeforeNanos()).isEqualTo(113 * S);
    }

    @Test
    void nanoTimeWrappingAroundIsHandled() {
        long start = Long.MAX_VALUE - 2 * S;
        Renewals renewals = new Renewals(TTL, start);
        long later = start + 4 * S;

        assertThat(renewals.begin(later)).isTrue();
        renewals.confirmed(later);

        assertThat(renewals.expiresNotBeforeNanos() - later).isEqualTo(8 * S);
    }
}
