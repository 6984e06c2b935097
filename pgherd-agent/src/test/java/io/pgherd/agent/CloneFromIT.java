package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.testkit.Await;

/** The clonefrom tag on real servers: a member that lost its data directory is cloned from the tagged standby. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloneFromIT {
    private AgentCluster cluster;

    @BeforeAll
    void start() {
        cluster = AgentCluster.start(3, 0);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aMemberWithoutDataClonesFromTheStandbyTaggedClonefromThenFollowsTheLeader() throws Exception {
        String leader = cluster.awaitHealthy(Duration.ofSeconds(60));
        AgentCluster.Member source = cluster.members().stream().filter(m -> !m.name.equals(leader)).findFirst().orElseThrow();
        AgentCluster.Member lost = cluster.members().stream().filter(m -> !m.name.equals(leader) && m != source)
                .findFirst().orElseThrow();
        cluster.stopAgent(source);
        cluster.startAgentTagged(source, true);
        Await.until(source.name + " published as clonefrom", Duration.ofSeconds(30), () -> ClusterState.of(cluster.store().read())
                .members().get(source.name) != null && ClusterState.of(cluster.store().read()).members().get(source.name).cloneFrom());

        cluster.stopAgent(lost);
        cluster.wipe(lost);
        cluster.startAgent(lost, false);

        Await.until(lost.name + " streaming from the leader " + leader + " again", Duration.ofSeconds(90),
                () -> cluster.streamingFrom(lost, leader));
        Path label = cluster.dir().resolve(lost.name).resolve("data").resolve("backup_label.old");
        assertThat(Files.readString(label)).as("its base backup's label").contains("BACKUP FROM: standby");
    }
}
