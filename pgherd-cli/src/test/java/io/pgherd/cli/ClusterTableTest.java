package io.pgherd.cli;

import static io.pgherd.cli.Clusters.LEADER_POSITION;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.Member;

class ClusterTableTest {

    @Test
    void membersAreListedByNameWithTheirRoleStateTimelineAndLag() {
        assertThat(ClusterTable.text("main", Clusters.typical())).isEqualTo("""
                cluster main: leader n1
                MEMBER  HOST            ROLE     STATE      TL  LAG (BYTES)
                n1      127.0.0.1:5431  leader   running    3   -
                n2      127.0.0.1:5432  standby  streaming  3   100
                n3      127.0.0.1:5433  replica  streaming  3   10
                n4      127.0.0.1:5434  standby  stopped    -   unknown
                n5      127.0.0.1:5435  standby  streaming  3   5000
                """);
    }

    @Test
    void lagIsUnknownBeforeTheLeaderPublishedAPosition() {
        ClusterState s = Clusters.typical();
        ClusterState noPosition = new ClusterState(s.leader(), s.members(), s.initializedBy(), 0, s.switchover(),
                s.sync(), s.paused());

        assertThat(ClusterTable.rows(noPosition)).extracting(ClusterTable.Row::lagBytes).containsOnlyNulls();
    }

    @Test
    void lagIsNeverNegativeWhenAStandbyReportsAPositionPastTheLastPublishedOne() {
        ClusterState s = Clusters.state(Optional.of("n1"), Clusters.leader("n1"), Clusters.standby("n2", -300));

        assertThat(ClusterTable.lagBytes(s, s.members().get("n2"))).isZero();
    }

    @Test
    void aMemberThatRanAsLeaderIsAStandbyOnceAnotherHoldsTheKey() {
        ClusterState s = Clusters.ledBy(Clusters.typical(), Optional.of("n2"));

        assertThat(ClusterTable.role(s, s.members().get("n1"))).isEqualTo("standby");
        assertThat(ClusterTable.role(s, s.members().get("n2"))).isEqualTo("leader");
        assertThat(ClusterTable.role(s, s.members().get("n3"))).isEqualTo("replica");
    }

    @Test
    void pendingSwitchoverMaintenanceModeAndSynchronousStandbyAreShown() {
        ClusterState s = Clusters.with(Clusters.typical(),
                Optional.of(new ClusterState.Switchover("n1", "n2", 1_893_553_445_000L)), Optional.of("n2"), true);

        String text = ClusterTable.text("main", s);

        assertThat(text).startsWith("cluster main: leader n1, synchronous standby n2\n")
                .endsWith("pending switchover: from n1 to n2, not before 2030-01-02T03:04:05Z\n"
                        + "maintenance mode: on (no automatic failover until 'pgherd resume')\n");
    }

    @Test
    void aClusterWithoutLeaderOrMembersSaysSo() {
        assertThat(ClusterTable.text("empty", Clusters.state(Optional.empty()))).isEqualTo("""
                cluster empty: no leader
                MEMBER  HOST  ROLE  STATE  TL  LAG (BYTES)
                no member has published a record in cluster empty (no agent runs, or --cluster names another cluster)
                """);
    }

    @Test
    void aLeaderKeyWithoutMemberRecordIsPointedOut() {
        assertThat(ClusterTable.text("main", Clusters.state(Optional.of("n9"), Clusters.standby("n2", 0))))
                .contains("the leader key is held by n9, which has published no member record\n");
    }

    @Test
    void parametersAnAgentRejectedAreListedPerMemberWithTheReason() {
        Member n2 = Clusters.standby("n2", 0).withRejectedParameters(Map.of("shared_bufers",
                "unknown parameter \"shared_bufers\" in PostgreSQL 15.18; did you mean \"shared_buffers\"?", "timezone",
                "invalid value for parameter \"TimeZone\": \"Mars/Base\""));
        ClusterState state = Clusters.state(Optional.of("n2"), n2, Clusters.standby("n3", 0));

        assertThat(ClusterTable.text("main", state)).contains("\nn2: rejected parameters: shared_bufers (unknown parameter"
                + " \"shared_bufers\" in PostgreSQL 15.18; did you mean \"shared_buffers\"?); timezone (invalid value for"
                + " parameter \"TimeZone\": \"Mars/Base\")\n").doesNotContain("n3: rejected");
        assertThat(ClusterTable.json("main", state).path("members").get(0).path("rejected_parameters").path("timezone").asText())
                .contains("Mars/Base");
    }

    @Test
    void jsonHasTheSameFacts() {
        ClusterState s = Clusters.with(Clusters.typical(), Optional.of(new ClusterState.Switchover("", "n2", 0)),
                Optional.empty(), true);

        JsonNode json = ClusterTable.json("main", s);

        assertThat(json.get("cluster").asText()).isEqualTo("main");
        assertThat(json.get("leader").asText()).isEqualTo("n1");
        assertThat(json.get("paused").asBoolean()).isTrue();
        assertThat(json.get("last_leader_position").asLong()).isEqualTo(LEADER_POSITION);
        assertThat(json.get("synchronous_standby").isNull()).isTrue();
        assertThat(json.get("members")).extracting(m -> m.get("name").asText()).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(json.get("members")).extracting(m -> m.get("role").asText())
                .containsExactly("leader", "standby", "replica", "standby", "standby");
        JsonNode n2 = json.get("members").get(1);
        assertThat(n2.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(n2.get("port").asInt()).isEqualTo(5432);
        assertThat(n2.get("state").asText()).isEqualTo("streaming");
        assertThat(n2.get("timeline").asInt()).isEqualTo(3);
        assertThat(n2.get("lag_bytes").asLong()).isEqualTo(100);
        assertThat(n2.get("following").asText()).isEqualTo("n1");
        assertThat(json.get("members").get(0).get("lag_bytes").isNull()).isTrue();
        assertThat(json.get("members").get(3).get("lag_bytes").isNull()).isTrue();
        assertThat(json.get("switchover").get("from").isNull()).isTrue();
        assertThat(json.get("switchover").get("to").asText()).isEqualTo("n2");
        assertThat(json.get("switchover").get("scheduled_at").isNull()).isTrue();
    }

    @Test
    void jsonWithoutLeaderOrRequestHasNulls() {
        JsonNode json = ClusterTable.json("main", Clusters.ledBy(Clusters.typical(), Optional.empty()));

        assertThat(json.get("leader").isNull()).isTrue();
        assertThat(json.get("switchover").isNull()).isTrue();
        assertThat(json.get("members").get(0).get("role").asText()).isEqualTo("standby");
    }
}
