package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.pgherd.agent.ha.SpareRules;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;
import io.pgherd.testkit.Await;

/**
 * Spare agents ({@code agent.role: spare}) on a real cluster: they register without data; the one the controller
 * assigns as a read replica clones, streams from the leader and publishes as a nofailover replica while the other
 * stays a spare (cloned from the standby, whose slot for it is dropped once it follows the leader); released, it
 * stops PostgreSQL, its data directory is gone, the leader drops its replication slot, and it is a spare again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpareAgentIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private AgentCluster cluster;

    @BeforeAll
    void start() {
        cluster = AgentCluster.start(2, 0);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSpareAssignedAsAReadReplicaStreamsAndReleasedIsWipedAndASpareAgain() throws Exception {
        String leader = cluster.awaitHealthy(WAIT);
        AgentCluster.Member spare1 = cluster.startSpare("spare1");
        AgentCluster.Member spare2 = cluster.startSpare("spare2");
        for (AgentCluster.Member s : List.of(spare1, spare2)) {
            Await.until(s.name + " registered as a spare", WAIT, () -> isSpare(s));
            assertThat(Files.exists(data(s))).as(s.name + " holds no data").isFalse();
        }

        cluster.store().putAssignment(Assignment.of(spare1.name, Assignment.Role.REPLICA, false, "t-1", 1));
        Await.until(spare1.name + " streams from the leader " + leader, WAIT, () -> cluster.streamingFrom(spare1, leader));
        Await.until(spare1.name + " publishes as a read replica", WAIT, () -> {
            Member m = record(spare1);
            return m != null && m.role().equals("replica") && m.noFailover() && m.running() && m.inRecovery();
        });
        Await.until("the leader keeps a slot for " + spare1.name, WAIT, () -> slots(leader).contains("spare1"));
        String standby = cluster.members().stream().map(m -> m.name).filter(n -> n.startsWith("node") && !n.equals(leader))
                .findFirst().orElseThrow();
        Await.until("the slot the clone made on the standby " + standby + " is dropped once " + spare1.name
                + " follows the leader", WAIT, () -> !slots(standby).contains("spare1"));
        assertThat(isSpare(spare2)).as(spare2.name + " was not assigned: still a spare").isTrue();
        assertThat(Files.exists(data(spare2))).isFalse();
        assertThat(slots(leader)).as("no slot for an idle spare").doesNotContain("spare2");

        cluster.store().putAssignment(Assignment.of(spare1.name, Assignment.Role.SPARE, false, "t-2", 1));
        Await.until(spare1.name + " is a spare again", WAIT, () -> isSpare(spare1));
        Await.until(spare1.name + "'s data directory is gone", WAIT, () -> !Files.exists(data(spare1)));
        Await.until("the leader dropped " + spare1.name + "'s slot", WAIT, () -> !slots(leader).contains("spare1"));
        assertThat(slots(standby)).as("no slot left for " + spare1.name + " anywhere").doesNotContain("spare1");
        assertThat(isSpare(spare2)).isTrue();
        assertThat(cluster.writable()).as("the cluster still takes writes at its leader").containsExactly(leader);
    }

    private Path data(AgentCluster.Member m) {
        return cluster.dir().resolve(m.name).resolve("data");
    }

    private Member record(AgentCluster.Member m) {
        return cluster.store().read().members().get(m.name);
    }

    private boolean isSpare(AgentCluster.Member m) {
        Member r = record(m);
        return r != null && r.role().equals(SpareRules.SPARE_ROLE) && !r.running();
    }

    private List<String> slots(String leader) throws SQLException {
        return cluster.query(cluster.member(leader), "select slot_name from pg_replication_slots order by 1");
    }
}
