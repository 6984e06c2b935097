package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pgherd.cli.JvmOptions.Kind;

class JvmOptionsTest {
    @Test
    void eachKindHasItsOwnDefaultsOnTheSerialCollector() {
        assertThat(JvmOptions.of(Kind.AGENT, Map.of())).contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1");
        assertThat(JvmOptions.of(Kind.ZOOKEEPER, Map.of())).contains("-XX:+UseSerialGC", "-Xmx96m");
        assertThat(JvmOptions.of(Kind.PROXY, Map.of())).contains("-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxDirectMemorySize=256m")
                .doesNotContain("-XX:TieredStopAtLevel=1");
    }

    @Test
    void theKindsVariableReplacesItsDefaultsOnly() {
        Map<String, String> environment = Map.of("PGHERD_AGENT_JAVA_OPTS", "  -Xmx100m \t-XX:+UseG1GC ");

        assertThat(JvmOptions.of(Kind.AGENT, environment)).containsExactly("-Xmx100m", "-XX:+UseG1GC");
        assertThat(JvmOptions.of(Kind.PROXY, environment)).isEqualTo(JvmOptions.of(Kind.PROXY, Map.of()));
    }

    @Test
    void aControllerRunsWithAnAgentsOptionsAndItsOwnVariable() {
        assertThat(JvmOptions.of(Kind.CONTROLLER, Map.of())).isEqualTo(JvmOptions.of(Kind.AGENT, Map.of()));
        assertThat(JvmOptions.of(Kind.CONTROLLER, Map.of("PGHERD_CONTROLLER_JAVA_OPTS", "-Xmx32m"))).containsExactly("-Xmx32m");
        assertThat(JvmOptions.of(Kind.AGENT, Map.of("PGHERD_CONTROLLER_JAVA_OPTS", "-Xmx32m")))
                .isEqualTo(JvmOptions.of(Kind.AGENT, Map.of()));
    }

    @Test
    void anEmptyVariableLeavesTheJvmDefaults() {
        assertThat(JvmOptions.of(Kind.ZOOKEEPER, Map.of("PGHERD_ZOOKEEPER_JAVA_OPTS", ""))).isEmpty();
    }
}
