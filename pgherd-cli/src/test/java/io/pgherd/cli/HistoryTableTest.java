package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.HistoryEntry;

/** The table of promotions, from entries as the model reads the JSON agents and proxies write. */
class HistoryTableTest {
    private static HistoryEntry json(String text) {
        return ClusterJson.read("history", text, HistoryEntry.class);
    }

    @Test
    void eachPromotionIsOneRowWithItsTimelineFromTheFirstMeasuredMoment() throws Exception {
        HistoryEntry failover = json("""
                {"leader":"n2","previous_leader":"n1","reason":"failover","timeline":4,"position":1234,
                 "time":"2030-01-02T03:04:05.300Z",
                 "timeline_ms":{"old_primary_last_seen":1000,"key_gone":5800,"elected":5900,"promoted":6300,"first_write":6320},
                 "writes_resumed_after_key_gone_ms":520,"writes_resumed_after_last_seen_ms":5320}""");
        HistoryEntry bootstrap = json("""
                {"leader":"n1","previous_leader":"","reason":"took the key as a running primary","timeline":1,
                 "time":"2030-01-01T00:00:00Z",
                 "timeline_ms":{"old_primary_last_seen":0,"key_gone":0,"elected":7000,"promoted":7000,"first_write":-1}}""");

        assertThat(HistoryTable.text("main", List.of(bootstrap, failover))).isEqualTo("""
                TIME                      TL  LEADER    REASON                             WRITES AFTER KEY GONE  TIMELINE
                2030-01-01T00:00:00Z      1   - -> n1   took the key as a running primary  -                      elected +0, promoted +0 ms
                2030-01-02T03:04:05.300Z  4   n1 -> n2  failover                           520 ms                 last seen +0, key gone +4800, elected +4900, promoted +5300, first write +5320 ms
                """);
    }

    @Test
    void eachProxysViewFollowsTheAgentsOnTheSameClock() throws Exception {
        HistoryEntry switchover = json("""
                {"leader":"n2","previous_leader":"n1","reason":"switchover","timeline":5,"time":"2030-01-03T00:00:00Z",
                 "timeline_ms":{"old_primary_last_seen":0,"key_gone":0,"elected":2000,"promoted":2100,"first_write":2110},
                 "proxies":{"proxy1":{"failure_seen":1500,"leader_seen":2005,"writes_released":2120,"first_write":2125},
                            "proxy2":{"failure_seen":1510,"leader_seen":0,"writes_released":2130,"first_write":0}}}""");

        assertThat(HistoryTable.text("main", List.of(switchover))).contains("elected +500, promoted +600, first write +610;"
                + " proxy1 failure seen +0, leader seen +505, writes released +620, first write +625;"
                + " proxy2 failure seen +10, writes released +630 ms");
    }

    @Test
    void missingFieldsShowAsDashes() throws Exception {
        assertThat(HistoryTable.text("main", List.of(json("{\"leader\":\"n3\"}")))).endsWith("""
                -     -   - -> n3  -       -                      -
                """);
    }

    @Test
    void anEmptyHistorySaysSo() {
        assertThat(HistoryTable.text("main", List.of())).isEqualTo("no promotion recorded in cluster main\n");
    }

    @Test
    void aProxyFirstWriteLongAfterTheReleaseIsNoWriteSeenAndABootstrapHasNoKeyGone() throws Exception {
        // As agents and proxies before this release wrote them: a quiet switchover's "first write" is when a
        // client next wrote, three minutes later; the bootstrap measured a key gone from its own start.
        HistoryEntry bootstrap = json("""
                {"leader":"n1","previous_leader":"","reason":"initialized","timeline":1,"time":"2030-01-01T00:00:00Z",
                 "timeline_ms":{"old_primary_last_seen":0,"key_gone":6000,"elected":7000,"promoted":7000,"first_write":7010},
                 "writes_resumed_after_key_gone_ms":1010}""");
        HistoryEntry switchover = json("""
                {"leader":"n2","previous_leader":"n1","reason":"switchover","timeline":2,"time":"2030-01-03T00:00:00Z",
                 "timeline_ms":{"old_primary_last_seen":0,"key_gone":0,"elected":2000,"promoted":2100,"first_write":2110},
                 "proxies":{"proxy1":{"failure_seen":1500,"leader_seen":2005,"writes_released":2120,"first_write":178921},
                            "proxy2":{"failure_seen":1510,"leader_seen":2006,"writes_released":2130,"first_write":0}}}""");

        String table = HistoryTable.text("main", List.of(bootstrap, switchover));

        assertThat(table).doesNotContain("1010 ms").doesNotContain("+177421").contains("""
                elected +500, promoted +600, first write +610; proxy1 failure seen +0, leader seen +505, \
                writes released +620 ms, no write seen; proxy2 failure seen +10, leader seen +506, \
                writes released +630 ms, no write seen""");
        assertThat(table.lines().skip(1).findFirst().orElseThrow()).matches("2030-01-01T00:00:00Z +1 +- -> n1 +initialized +- +elected \\+0, promoted \\+0, first write \\+10 ms");
    }
}
