package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class HistoryTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void eachPromotionIsOneRowWithItsTimelineFromTheFirstMeasuredMoment() throws Exception {
        JsonNode failover = json("""
                {"leader":"n2","previous_leader":"n1","reason":"failover","timeline":4,"position":1234,
                 "time":"2030-01-02T03:04:05.300Z",
                 "timeline_ms":{"old_primary_last_seen":1000,"key_gone":5800,"elected":5900,"promoted":6300,"first_write":6320},
                 "writes_resumed_after_key_gone_ms":520,"writes_resumed_after_last_seen_ms":5320}""");
        JsonNode bootstrap = json("""
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
    void missingFieldsShowAsDashes() throws Exception {
        assertThat(HistoryTable.text("main", List.of(json("{\"leader\":\"n3\"}")))).endsWith("""
                -     -   - -> n3  -       -                      -
                """);
    }

    @Test
    void anEmptyHistorySaysSo() {
        assertThat(HistoryTable.text("main", List.of())).isEqualTo("no promotion recorded in cluster main\n");
    }
}
