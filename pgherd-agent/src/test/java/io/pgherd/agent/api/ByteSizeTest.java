package io.pgherd.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1048576, 1048576",
            "1B, 1",
            "16kB, 16384",
            "1024kB, 1048576",
            "10MB, 10485760",
            "10mb, 10485760",
            "1GB, 1073741824",
            "2TB, 2199023255552",
            "' 64 MB ', 67108864"
    })
    void parsesBytesAndPostgresUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1", "1.5MB", "10XB", "1 M B", "99999999999999999999", "9000000TB"})
    void rejectsAnythingElseSayingWhatItGot(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
