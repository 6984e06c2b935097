package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.Member;
import io.pgherd.testkit.Await;

/**
 * The controller drains a read replica through its assignment: the member's agent publishes {@code draining}
 * in its member record (what the proxies route by) while the assignment says so, and stops when it no longer
 * does or is deleted; the member keeps streaming throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentDrainIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private AgentCluster cluster;

    @BeforeAll
    void start() {
        cluster = AgentCluster.start(1, 1);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aMemberPublishesDrainingWhileItsAssignmentSaysSo() {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(90));
        AgentCluster.Member replica = cluster.members().stream().filter(m -> !m.name.equals(leader)).findFirst().orElseThrow();
        assertThat(record(replica).draining()).isFalse();

        cluster.store().putAssignment(Assignment.of(replica.name, Assignment.Role.REPLICA, true, "t-1", 1));
        Await.until(replica.name + "'s record says draining", WAIT, () -> record(replica).draining());
        assertThat(record(cluster.member(leader)).draining()).as("only the member assigned drains").isFalse();

        cluster.store().putAssignment(Assignment.of(replica.name, Assignment.Role.REPLICA, false, "t-1", 1));
        Await.until(replica.name + "'s record no longer says draining", WAIT, () -> !record(replica).draining());

        cluster.store().putAssignment(Assignment.of(replica.name, Assignment.Role.REPLICA, true, "t-2", 1));
        Await.until(replica.name + "'s record says draining again", WAIT, () -> record(replica).draining());
        cluster.store().deleteAssignment(replica.name);
        Await.until(replica.name + "'s record no longer says draining once its assignment is gone", WAIT,
                () -> !record(replica).draining());
        assertThat(cluster.streamingFrom(replica, leader)).as(replica.name + " streams throughout").isTrue();
    }

    private Member record(AgentCluster.Member m) {
        Member record = cluster.store().read().members().get(m.name);
        assertThat(record).as(m.name + "'s member record").isNotNull();
        return record;
    }
}
