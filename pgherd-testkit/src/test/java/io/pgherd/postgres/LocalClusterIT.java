package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

@PostgresCluster(standby = true, replicas = 2)
class LocalClusterIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    @Test
    void everyFollowerIsInRecoveryAndStreamsThroughItsOwnSlot(LocalCluster cluster) throws SQLException {
        assertThat(cluster.nodes()).hasSize(4);
        for (PostgresNode follower : cluster.followers()) {
            assertThat(queryOne(cluster, follower, "select pg_is_in_recovery()::text")).isEqualTo("true");
        }
        assertThat(queryOne(cluster, cluster.primary(), "select pg_is_in_recovery()::text")).isEqualTo("false");

        List<String> rows = new ArrayList<>();
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select r.application_name, r.state, s.slot_name from pg_stat_replication r"
                     + " join pg_replication_slots s on s.active_pid = r.pid order by 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3));
            }
        }
        assertThat(rows).containsExactly("node2/streaming/node2", "node3/streaming/node3", "node4/streaming/node4");
    }

    @Test
    void serversUseChecksumsScramAndAPassfileForReplication(LocalCluster cluster) throws Exception {
        assertThat(queryOne(cluster, cluster.primary(), "show data_checksums")).isEqualTo("on");
        assertThat(queryOne(cluster, cluster.primary(), "show password_encryption")).isEqualTo("scram-sha-256");
        assertThat(queryOne(cluster, cluster.primary(), "show listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(queryOne(cluster, cluster.primary(),
                "select string_agg(distinct auth_method, ',') from pg_hba_file_rules")).isEqualTo("scram-sha-256");
        assertThat(queryOne(cluster, cluster.primary(),
                "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'replicator'")).isEqualTo("t");
        for (PostgresNode follower : cluster.followers()) {
            PgConfFile auto = PgConfFile.read(follower.dataDir().resolve("postgresql.auto.conf"));
            assertThat(auto.get("primary_slot_name")).contains(follower.name());
            assertThat(auto.get("primary_conninfo")).hasValueSatisfying(conninfo -> assertThat(conninfo)
                    .contains("port=" + cluster.primary().port(), "user=replicator", "passfile=",
                            "application_name=" + follower.name())
                    .doesNotContain("password=", cluster.credentials().replicationPassword()));
            assertThat(queryOne(cluster, follower, "show port")).isEqualTo(Integer.toString(follower.port()));
        }
    }

    @Test
    void rowsWrittenOnThePrimaryAppearOnEveryFollower(LocalCluster cluster) throws SQLException {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("create table replicated (id int primary key, note text)");
            s.execute("insert into replicated select g, 'row ' || g from generate_series(1, 1000) g");
        }
        for (PostgresNode follower : cluster.followers()) {
            Await.until("1000 rows on " + follower.name(), CATCH_UP,
                    () -> "1000".equals(queryOne(cluster, follower, "select count(*)::text from replicated")));
        }
    }

    @Test
    void statusReportsRolesStreamingAndLag(LocalCluster cluster) {
        Await.until("every follower streaming with a known lag", CATCH_UP, () -> cluster.status().stream()
                .skip(1).allMatch(s -> s.streaming() && s.lagBytes() != null));
        List<NodeStatus> status = cluster.status();
        assertThat(status).extracting(NodeStatus::name, NodeStatus::role, NodeStatus::running)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("node1", NodeRole.PRIMARY, true),
                        org.assertj.core.groups.Tuple.tuple("node2", NodeRole.STANDBY, true),
                        org.assertj.core.groups.Tuple.tuple("node3", NodeRole.REPLICA, true),
                        org.assertj.core.groups.Tuple.tuple("node4", NodeRole.REPLICA, true));
        assertThat(status.get(0).state()).isEqualTo("running");
        assertThat(status.subList(1, 4)).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo("streaming");
            assertThat(s.lagBytes()).isGreaterThanOrEqualTo(0L);
        });
    }

    @Test
    void aStoppedReplicaRestartsAndCatchesUp(LocalCluster cluster) throws SQLException {
        PostgresNode replica = cluster.node("node4");
        replica.stop(Duration.ofSeconds(30));
        assertThat(replica.isRunning()).isFalse();
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("create table while_down (id int)");
            s.execute("insert into while_down select generate_series(1, 500)");
        }
        assertThat(cluster.status().get(3).state()).isEqualTo("stopped");

        cluster.start(Duration.ofSeconds(60));

        Await.until("node4 caught up after restart", CATCH_UP,
                () -> "500".equals(queryOne(cluster, replica, "select count(*)::text from while_down")));
        assertThat(cluster.status().get(3).state()).isEqualTo("streaming");
    }

    @Test
    void aReplicaRefusesWrites(LocalCluster cluster) {
        PostgresNode replica = cluster.node("node3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (Connection c = cluster.connect(replica); Statement s = c.createStatement()) {
                s.execute("create table nope (id int)");
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
    }

    static String queryOne(LocalCluster cluster, PostgresNode node, String sql) throws SQLException {
        try (Connection c = cluster.connect(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
