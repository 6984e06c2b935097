package io.pgherd.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as written in configuration: units, bare seconds, fractions, and the shortest exact form. */
class DurationsTest {

    @ParameterizedTest(name = "''{0}'' is {1} ms")
    @CsvSource(delimiter = '|', value = {
        "0        | 0",
        "500ms    | 500",
        "30s      | 30000",
        "30       | 30000",
        "1.5      | 1500",
        "0.25s    | 250",
        "1.5ms    | 2",
        "5min     | 300000",
        "5m       | 300000",
        "2h       | 7200000",
        "0.5h     | 1800000",
        "'5 min'  | 300000",
        "' 10s '  | 10000",
        "007s     | 7000",
    })
    void parsesEveryUnitAndABareNumberAsSeconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"", " ", "s", "-1s", "+1s", "10d", "1 day", "5MS", "5S", "1.s", ".5s", "1,5s", "PT5S",
        "5ms5", "1e3ms", "5 minutes"})
    void refusesWhatIsNotANumberWithAKnownUnit(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must be a duration such as 500ms, 30s, 5min or 1h (got '" + text + "')");
    }

    @ParameterizedTest(name = "{0} ms is written ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "0        | 0",
        "1        | 1ms",
        "250      | 250ms",
        "1500     | 1500ms",
        "1000     | 1s",
        "30000    | 30s",
        "90000    | 90s",
        "60000    | 1min",
        "5400000  | 90min",
        "3600000  | 1h",
        "86400000 | 24h",
        "3601000  | 3601s",
        "3600001  | 3600001ms",
    })
    void formatsInTheLargestUnitThatIsExact(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} ms survives format then parse")
    @ValueSource(longs = {0, 1, 999, 1000, 1001, 59_999, 60_000, 61_000, 3_599_999, 3_600_000, 7_260_000,
        86_400_000, 123_456_789})
    void formatThenParseGivesTheSameDuration(long millis) {
        Duration d = Duration.ofMillis(millis);

        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }

    @ParameterizedTest(name = "''{0}'' survives parse then format")
    @ValueSource(strings = {"0", "250ms", "30s", "5min", "2h", "1001ms", "61s", "25h"})
    void canonicalTextSurvivesParseThenFormat(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
