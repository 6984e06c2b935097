package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cluster.ProxyRecord;

/** When a proxy writes its record again: acknowledgements and drains at once, reads rate-limited. */
class ReadsReportTest {

    /** A record: {@code reads} as "member=n member=n", {@code draining} as "member member". */
    private static ProxyRecord record(long ack, String reads, String draining) {
        Map<String, Integer> running = new java.util.HashMap<>();
        for (String r : reads.split(" ")) {
            if (!r.isBlank()) {
                running.put(r.split("=")[0], Integer.parseInt(r.split("=")[1]));
            }
        }
        return ProxyRecord.withReads("p", ack, 0, running, draining.isBlank() ? List.of() : List.of(draining.split(" ")));
    }

    @ParameterizedTest(name = "{6}")
    @CsvSource(delimiter = '|', textBlock = """
            0 | r1=1      |       | 0 | r1=1      |       | unchanged: nothing to write                         | false
            0 | r1=1      |       | 5 | r1=1      |       | an acknowledgement: at once                         | true
            0 | r1=1      |       | 0 | r1=1      | r1    | a member drains: at once                            | true
            0 | r1=1      | r1    | 0 | r1=1      |       | a member no longer drains: at once                  | true
            0 | r1=1      |       | 0 | r1=2      |       | reads on a member that does not drain: rate-limited | false
            0 | r1=1 r2=1 | r1    | 0 | r1=1 r2=3 | r1    | reads change only where nothing drains              | false
            0 | r1=1      | r1    | 0 |           | r1    | reads on a draining member: promptly                | true
            0 | r1=2      | r1    | 0 | r1=1      | r1    | a draining member's reads fall: promptly            | true
            """)
    void writesWhatOthersWaitForAtOnceAndTheRestRateLimited(long ack0, String reads0, String draining0, long ack1,
                                                           String reads1, String draining1, String why, boolean due) {
        String r0 = reads0 == null ? "" : reads0;
        String r1 = reads1 == null ? "" : reads1;
        String d0 = draining0 == null ? "" : draining0;
        String d1 = draining1 == null ? "" : draining1;
        long writtenAt = 10_000;
        long now = writtenAt + ReadsReport.DRAINING_INTERVAL_MILLIS;
        assertThat(ReadsReport.due(record(ack0, r0, d0), writtenAt, record(ack1, r1, d1), now)).as(why).isEqualTo(due);
    }

    @ParameterizedTest(name = "{0} ms after the last write: {1}")
    @CsvSource({"0, false, false", "99, false, false", "100, false, true", "999, false, true", "1000, true, true"})
    void changesOfReadsWaitTheirInterval(long since, boolean dueAnywhere, boolean dueOnADrainingMember) {
        ProxyRecord written = record(0, "r1=1 r2=1", "r2");
        assertThat(ReadsReport.due(written, 0, record(0, "r1=2 r2=1", "r2"), since)).isEqualTo(dueAnywhere);
        assertThat(ReadsReport.due(written, 0, record(0, "r1=1", "r2"), since)).isEqualTo(dueOnADrainingMember);
    }

    @ParameterizedTest
    @CsvSource({"0", "1"})
    void theFirstRecordOfASessionIsWrittenAtOnce(long ack) {
        assertThat(ReadsReport.due(null, 0, record(ack, "", ""), 0)).isTrue();
    }
}
