package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The member record as JSON in the DCS, with and without the pending-restart fields (moved from the agent's ha package). */
class MemberTest {
    @Test
    void aRecordWithAPendingRestartReadsBackAsWritten() {
        Member m = new Member("n1", "standby", "running", "127.0.0.1", 5432, "http://127.0.0.1:8008", true, false, 3, 100, 100,
                false, 1, "", true, List.of("max_connections", "shared_buffers"));

        String json = ClusterJson.write(m);

        assertThat(json).contains("\"pendingRestart\":true", "\"pendingRestartParameters\":[\"max_connections\",\"shared_buffers\"]");
        assertThat(json).contains("\"pending_restart\":true", "\"pending_restart_parameters\":[\"max_connections\",\"shared_buffers\"]");
        assertThat(ClusterJson.read("members/n1", json, Member.class)).isEqualTo(m);
    }

    @Test
    void aRecordOfAnOlderAgentHasNoPendingRestart() {
        String old = "{\"name\":\"n2\",\"role\":\"standby\",\"state\":\"streaming\",\"host\":\"127.0.0.1\",\"port\":5433,"
                + "\"apiUrl\":\"http://127.0.0.1:8009\",\"running\":true,\"inRecovery\":true,\"timeline\":3,\"position\":90,"
                + "\"replayed\":80,\"noFailover\":false,\"failoverPriority\":1,\"following\":\"n1\"}";

        Member m = ClusterJson.read("members/n2", old, Member.class);

        assertThat(m.pendingRestart()).isFalse();
        assertThat(m.pendingRestartParameters()).isEmpty();
        assertThat(m).isEqualTo(new Member("n2", "standby", "streaming", "127.0.0.1", 5433, "http://127.0.0.1:8009", true, true, 3,
                90, 80, false, 1, "n1"));
    }
}
