package io.pgherd.proxy.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** WAL positions as PostgreSQL prints them ({@code X/Y}) and back, over the whole unsigned 64-bit range. */
class LsnTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "0/0, 0",
            "0/1, 1",
            "0/16B3740, 23803712",
            "1/0, 4294967296",
            "16/B374D848, 97500059720",
            "7FFFFFFF/FFFFFFFF, 9223372036854775807",
            "FFFFFFFF/FFFFFFFF, -1",
            "80000000/0, -9223372036854775808"})
    void parsesAndFormatsAsPostgresqlPrintsIt(String text, long lsn) {
        assertThat(Lsn.parse(text)).isEqualTo(lsn);
        assertThat(Lsn.format(lsn)).isEqualTo(text);
    }

    @Test
    void theHighHalfIsTheUpperThirtyTwoBits() {
        assertThat(Lsn.parse("1/FFFFFFFF") + 1).isEqualTo(Lsn.parse("2/0"));
        assertThat(Lsn.format(3L << 32 | 0xABCL)).isEqualTo("3/ABC");
        assertThat(Lsn.format(0xFFFFFFFFL)).as("a full low half does not spill into the high one").isEqualTo("0/FFFFFFFF");
    }

    @Test
    void positionsAbove2To63KeepTheirOrderAsUnsignedNumbers() {
        assertThat(Long.compareUnsigned(Lsn.parse("80000000/0"), Lsn.parse("7FFFFFFF/FFFFFFFF"))).isPositive();
    }

    @Test
    void lowerCaseLeadingZerosAndSurroundingSpaceAreAccepted() {
        assertThat(Lsn.parse("a/b")).isEqualTo(Lsn.parse("A/B"));
        assertThat(Lsn.parse("00000000/0016B374")).isEqualTo(0x16B374L);
        assertThat(Lsn.parse("  0/16B3740\n")).isEqualTo(0x16B3740L);
        assertThat(Lsn.format(Lsn.parse("a/b"))).isEqualTo("A/B");
    }

    @Test
    void everyPositionSurvivesARoundTrip() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            long lsn = random.nextLong();
            assertThat(Lsn.parse(Lsn.format(lsn))).as(Long.toHexString(lsn)).isEqualTo(lsn);
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {" ", "0", "16B3740", "/0", "0/", "/", "G/0", "0/X", "0/0/0", "0 /1", "0/ 1", "0x1/0",
            "123456789/0", "0/123456789", "1.5/0", "0/-1", "-1/0", "+A/+B", "0/+1"})
    void anythingElseIsRefusedWithTheTextShown(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a WAL position (expected X/Y in hexadecimal, like 0/16B3740): " + text);
    }
}
