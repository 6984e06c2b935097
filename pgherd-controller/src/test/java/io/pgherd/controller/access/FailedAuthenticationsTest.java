package io.pgherd.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class FailedAuthenticationsTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void eachClientIsSlowedByItsOwnFailuresAndAllAreCounted() {
        FailedAuthentications failures = new FailedAuthentications();
        for (int i = 0; i < 3; i++) {
            assertThat(failures.fail("10.0.0.1", NOW.plusMillis(i))).isZero();
        }
        assertThat(failures.fail("10.0.0.1", NOW.plusMillis(3))).isEqualTo(Duration.ofMillis(250));
        assertThat(failures.fail("10.0.0.2", NOW.plusMillis(4))).as("another client").isZero();
        assertThat(failures.fail("10.0.0.1", NOW.plusMillis(5))).isEqualTo(Duration.ofMillis(500));
        assertThat(failures.count()).isEqualTo(6);
    }

    @Test
    void aClientQuietForAWindowStartsAfresh() {
        FailedAuthentications failures = new FailedAuthentications();
        for (int i = 0; i < 10; i++) {
            failures.fail("10.0.0.1", NOW);
        }
        assertThat(failures.fail("10.0.0.1", NOW)).isEqualTo(AuthDelays.CAP);
        assertThat(failures.fail("10.0.0.1", NOW.plus(AuthDelays.WINDOW))).isZero();
    }

    @Test
    void manyClientsAreNotRememberedBeyondTheBound() {
        FailedAuthentications failures = new FailedAuthentications();
        for (int i = 0; i < FailedAuthentications.MAX_CLIENTS + 500; i++) {
            failures.fail("client-" + i, NOW);
        }
        assertThat(failures.clients()).isLessThanOrEqualTo(FailedAuthentications.MAX_CLIENTS);
        for (int i = 0; i < 3; i++) {
            failures.fail("noisy", NOW);
        }
        assertThat(failures.fail("noisy", NOW)).as("the newest client is kept").isEqualTo(Duration.ofMillis(250));
    }
}
