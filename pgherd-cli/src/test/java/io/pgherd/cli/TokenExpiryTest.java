package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pgherd token create --expires WHEN}: a duration from now, a time, or the start of a day (UTC). */
class TokenExpiryTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "90m, 2026-12-07T11:30:00Z",
            "12h, 2026-12-07T22:00:00Z",
            "30d, 2027-01-06T10:00:00Z",
            "2w, 2026-12-21T10:00:00Z",
            "' 1d ', 2026-12-08T10:00:00Z",
            "2027-01-31T18:00:00Z, 2027-01-31T18:00:00Z",
            "2027-01-31, 2027-01-31T00:00:00Z"})
    void whenATokenExpires(String text, String at) {
        assertThat(TokenCommand.expiry(text, NOW)).isEqualTo(Instant.parse(at));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0d", "-1d", "10", "1y", "10 days", "tomorrow", "2027-13-01", "1000000d"})
    void anythingElseIsRefusedSayingWhatIsExpected(String text) {
        assertThatThrownBy(() -> TokenCommand.expiry(text, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--expires must be a duration such as 90m, 12h, 30d or 2w");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-07T10:00:00Z", "2026-12-07", "2020-01-01T00:00:00Z"})
    void aTimeNotInTheFutureIsRefused(String text) {
        assertThatThrownBy(() -> TokenCommand.expiry(text, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--expires must be in the future (got " + text + ", now is 2026-12-07T10:00:00Z)");
    }
}
