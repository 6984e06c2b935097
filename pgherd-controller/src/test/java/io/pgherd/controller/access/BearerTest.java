package io.pgherd.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The credentials of an {@code Authorization} header: the scheme is case-insensitive, anything but Bearer is none. */
class BearerTest {
    @ParameterizedTest(name = "''{0}'' → ''{1}''")
    @CsvSource(value = {
            "Bearer abc|abc",
            "bearer abc|abc",
            "BEARER   abc  |abc",
            "  Bearer abc|abc",
            "Bearer|",
            "Bearer   |",
            "Basic YWxpY2U6c2VjcmV0|",
            "abc|",
            "Bearerabc|"}, delimiter = '|')
    void theCredentialsOfABearerHeader(String header, String credentials) {
        assertThat(DcsAccess.bearer(header)).isEqualTo(Optional.ofNullable(credentials));
    }
}
