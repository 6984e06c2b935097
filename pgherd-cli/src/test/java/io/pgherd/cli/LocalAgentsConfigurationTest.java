package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.agent.AgentConfig;

/** What {@code pgherd up} writes for its agents: a read-only REST API user for monitoring, its password owner-only. */
class LocalAgentsConfigurationTest {

    @Test
    void everyAgentGetsTheReadOnlyMonitorUserWhosePasswordIsOwnerOnlyAndKept(@TempDir Path dir) throws Exception {
        LocalState state = new LocalState("/usr/lib/postgresql/15/bin", "15", List.of(new LocalState.Node("node1", "primary",
                15432, 8008), new LocalState.Node("node2", "standby", 15433, 8009)), 6432, 9930,
                "zookeeper://127.0.0.1:2181", "pgherd", 2181, List.of());
        LocalAgents agents = new LocalAgents(new ClusterDirectory(dir), state, null);

        agents.writeConfigurations();

        Path password = dir.resolve("monitor.password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password))).isEqualTo("rw-------");
        String first = Files.readString(password).strip();
        assertThat(first).hasSizeGreaterThanOrEqualTo(16);
        for (String node : List.of("node1", "node2")) {
            AgentConfig config = AgentConfig.load(agents.configFile(node));
            assertThat(config.get(AgentConfig.API_READONLY_USER)).isEqualTo("monitor");
            assertThat(config.get(AgentConfig.API_READONLY_PASSWORD_FILE)).isEqualTo(password.toString());
        }
        agents.writeConfigurations();
        assertThat(Files.readString(password).strip()).as("written once, then kept").isEqualTo(first);
    }
}
