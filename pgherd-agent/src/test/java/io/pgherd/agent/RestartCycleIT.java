package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.agent.AgentCluster.Member;
import io.pgherd.testkit.Await;

/**
 * {@code pgherd down} then {@code pgherd up} on real PostgreSQL servers and ZooKeeper: the agents
 * stop (the followers' first, then the leader's), then every PostgreSQL (the leader's last), then all
 * agents start again at once. The leader that stopped cleanly is the most advanced member: it leads
 * again, on the same timeline, with no promotion recorded.
 */
class RestartCycleIT {
    private static AgentCluster cluster;

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(2, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void downThenUpKeepsTheLeaderAndItsTimeline() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(120));
        try (Connection c = cluster.connect(cluster.member(leader)); Statement s = c.createStatement()) {
            s.execute("create table restart_it (id int)");
            s.execute("insert into restart_it values (1)");
        }
        int timeline = timeline(cluster.member(leader));
        int promotions = cluster.store().history().entries().size();

        // pgherd down: the followers' agents, then the leader's; then PostgreSQL, the leader last.
        List<Member> order = new ArrayList<>(cluster.members().stream().filter(m -> !m.name.equals(leader)).toList());
        order.add(cluster.member(leader));
        order.forEach(cluster::stopAgent);
        order.forEach(cluster::stopPostgresOf);

        // pgherd up: every agent at once.
        cluster.members().forEach(m -> cluster.startAgent(m, false));
        String after = cluster.awaitHealthy(Duration.ofSeconds(120));

        assertThat(after).as("the leader").isEqualTo(leader);
        assertThat(timeline(cluster.member(after))).as("its timeline").isEqualTo(timeline);
        assertThat(cluster.store().history().entries()).as("no promotion recorded").hasSize(promotions);
        try (Connection c = cluster.connect(cluster.member(after)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from restart_it")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        // It stays the leader: nobody takes over once the others have waited out their wait.
        long until = System.nanoTime() + AgentCluster.TTL.plusSeconds(2).toNanos();
        Await.until("the leader holds on past the others' wait", AgentCluster.TTL.plusSeconds(30), () ->
                System.nanoTime() > until && cluster.leader().filter(leader::equals).isPresent());
        assertThat(cluster.writable()).containsExactly(leader);
        assertThat(cluster.store().history().entries()).hasSize(promotions);
    }

    private static int timeline(Member m) throws Exception {
        return Integer.parseInt(cluster.query(m, "select timeline_id from pg_control_checkpoint()").get(0));
    }
}
