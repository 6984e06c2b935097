package io.pgherd.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The delay of a failed authentication, as a table: failures in the window (this one included) → delay. */
class AuthDelaysTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @ParameterizedTest(name = "{0} failures in the window → {1} ms")
    @CsvSource({
            "1, 0",       // a mistyped token
            "2, 0",
            "3, 0",       // the last free one
            "4, 250",     // then slowed
            "5, 500",
            "6, 1000",
            "7, 2000",
            "8, 4000",    // the cap
            "9, 4000",
            "64, 4000",
            "1000000, 4000"})
    void failuresInTheWindowSetTheDelay(int failures, long millis) {
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < failures; i++) {
            times.add(NOW.minusMillis(i % 1000));
        }
        assertThat(AuthDelays.delay(times, NOW)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "failures {0} s ago, and one now → {1} ms")
    @CsvSource({
            "'59,59,59,59', 500",         // all still in the window: the fifth
            "'60,59,59,59', 250",         // one exactly a window ago no longer counts
            "'61,61,61,61', 0",           // all out of the window: the first again
            "'3600,3600,3600,1', 0",
            "'-5,1,1,1', 250"})           // a time after now (a clock step) does not count
    void onlyFailuresInTheLastWindowCount(String secondsAgo, long millis) {
        List<Instant> times = new ArrayList<>();
        for (String s : secondsAgo.split(",")) {
            times.add(NOW.minusSeconds(Long.parseLong(s.strip())));
        }
        times.add(NOW);
        assertThat(AuthDelays.delay(times, NOW)).isEqualTo(Duration.ofMillis(millis));
    }
}
