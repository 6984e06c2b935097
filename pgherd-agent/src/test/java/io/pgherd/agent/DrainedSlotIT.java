package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;
import io.pgherd.testkit.Await;

/**
 * The leader keeps no replication slot for a read replica the controller is removing: marked draining, then
 * stopped (its record gone), its slot is dropped by the leader within the slot retention instead of kept for
 * it, and is not put back once its assignment is deleted (released); a member seen lately but not draining
 * keeps its slot while it is stopped, as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainedSlotIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private AgentCluster cluster;

    @BeforeAll
    void start() {
        cluster = AgentCluster.start(1, 2);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aDrainedReplicaThatStoppedLosesItsSlotForGood() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(120));
        List<AgentCluster.Member> replicas = cluster.members().stream().filter(m -> !m.name.equals(leader))
                .filter(m -> m.config.get(AgentConfig.ROLE) == AgentConfig.Role.REPLICA).toList();
        assertThat(replicas).hasSize(2);
        AgentCluster.Member removed = replicas.get(0);
        AgentCluster.Member kept = replicas.get(1);
        Await.until("the leader keeps slots for both read replicas", WAIT,
                () -> slots(leader).containsAll(List.of(removed.name, kept.name)));

        cluster.store().putAssignment(Assignment.of(removed.name, Assignment.Role.REPLICA, true, "t-1", 1));
        Await.until(removed.name + " publishes draining", WAIT, () -> {
            Member record = cluster.store().read().members().get(removed.name);
            return record != null && record.draining();
        });
        stopMember(removed);
        stopMember(kept);
        Await.until("the leader dropped the slot of the drained " + removed.name, WAIT,
                () -> !slots(leader).contains(removed.name));

        assertThat(cluster.store().deleteAssignment(removed.name)).isTrue();
        long released = System.currentTimeMillis();
        AgentCluster.Member leading = cluster.member(leader);
        Await.until("the leader to run cycles after the release", WAIT,
                () -> leading.agent.view() != null && leading.agent.view().cycleMillis() > released + 3_000);
        assertThat(slots(leader)).as("no slot put back for the released " + removed.name).doesNotContain(removed.name)
                .as(kept.name + ", stopped but not draining, keeps its slot within the retention").contains(kept.name);
    }

    /** Stops a member's agent, then its PostgreSQL, and waits until its member record is gone. */
    private void stopMember(AgentCluster.Member m) {
        cluster.stopAgent(m);
        cluster.stopPostgresOf(m);
        Await.until(m.name + "'s member record to be gone", WAIT, () -> !cluster.store().read().members().containsKey(m.name));
    }

    private List<String> slots(String leader) throws SQLException {
        return cluster.query(cluster.member(leader), "select slot_name from pg_replication_slots order by 1");
    }
}
