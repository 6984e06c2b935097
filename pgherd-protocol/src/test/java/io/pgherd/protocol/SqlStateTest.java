package io.pgherd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlStateTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "08006, true", "08001, true", "08P01, true", "57P01, true", "57P03, true",
            "57014, false", "28P01, false", "3D000, false", "25006, false", "53300, false", ", false"})
    void aServerIsUnavailableOnConnectionExceptionsAndSessionEndingInterventionsOnly(String code, boolean unavailable) {
        assertThat(SqlState.serverUnavailable(code)).isEqualTo(unavailable);
    }
}
