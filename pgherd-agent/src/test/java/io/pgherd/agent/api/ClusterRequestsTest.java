package io.pgherd.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code scheduled_at} as Patroni and patronictl write it. */
class ClusterRequestsTest {

    @ParameterizedTest
    @CsvSource({
            "2030-01-02T03:04:05Z, 2030-01-02T03:04:05Z",
            "2030-01-02T03:04:05+02:00, 2030-01-02T01:04:05Z",
            "2030-01-02T03:04+02, 2030-01-02T01:04:00Z",
            "2030-01-02T03:04:05.250-0130, 2030-01-02T04:34:05.250Z",
            "2019-09-24T12:00+00, 2019-09-24T12:00:00Z"
    })
    void scheduledAtTakesIsoTimesWithAnOffset(String text, String instant) {
        assertThat(ClusterRequests.scheduledAt(text)).isEqualTo(Instant.parse(instant));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2030-01-02T03:04:05", "2030-01-02 03:04:05Z", "tomorrow", "2030-13-02T03:04:05Z"})
    void scheduledAtRefusesTimesWithoutOffsetOrNotIso(String text) {
        assertThatThrownBy(() -> ClusterRequests.scheduledAt(text))
                .isInstanceOf(ClusterRequests.BadRequest.class)
                .hasMessageContaining("scheduled_at")
                .hasMessageContaining(text);
    }

    @Test
    void scheduledAtWithoutOffsetSaysTheOffsetIsMissing() {
        assertThatThrownBy(() -> ClusterRequests.scheduledAt("2030-01-02T03:04:05")).hasMessageContaining("time zone offset");
    }
}
