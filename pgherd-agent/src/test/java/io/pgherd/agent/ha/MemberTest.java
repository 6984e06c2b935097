package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The member record as JSON in the DCS, with and without the pending-restart fields. */
class MemberTest {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void aRecordWithAPendingRestartReadsBackAsWritten() throws Exception {
        Member m = new Member("n1", "standby", "running", "127.0.0.1", 5432, "http://127.0.0.1:8008", true, false, 3, 100, 100,
                false, 1, "", true, List.of("max_connections", "shared_buffers"));

        String json = JSON.writeValueAsString(m);

        assertThat(json).contains("\"pendingRestart\":true", "\"pendingRestartParameters\":[\"max_connections\",\"shared_buffers\"]");
        assertThat(JSON.readValue(json, Member.class)).isEqualTo(m);
    }

    @Test
    void aRecordOfAnOlderAgentHasNoPendingRestart() throws Exception {
        String old = "{\"name\":\"n2\",\"role\":\"standby\",\"state\":\"streaming\",\"host\":\"127.0.0.1\",\"port\":5433,"
                + "\"apiUrl\":\"http://127.0.0.1:8009\",\"running\":true,\"inRecovery\":true,\"timeline\":3,\"position\":90,"
                + "\"replayed\":80,\"noFailover\":false,\"failoverPriority\":1,\"following\":\"n1\"}";

        Member m = JSON.readValue(old, Member.class);

        assertThat(m.pendingRestart()).isFalse();
        assertThat(m.pendingRestartParameters()).isEmpty();
        assertThat(m).isEqualTo(new Member("n2", "standby", "streaming", "127.0.0.1", 5433, "http://127.0.0.1:8009", true, true, 3,
                90, 80, false, 1, "n1"));
    }
}
