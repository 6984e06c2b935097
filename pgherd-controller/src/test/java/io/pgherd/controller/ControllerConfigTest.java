package io.pgherd.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;

class ControllerConfigTest {

    @Test
    void readsAValidFileWithDefaults() {
        ControllerConfig c = ControllerConfig.read("""
                controller:
                  cluster: main
                  name: c1
                  dcs: etcd://127.0.0.1:2379
                """, "controller.yml");

        assertThat(c.name()).isEqualTo("c1");
        assertThat(c.get(ControllerConfig.CLUSTER)).isEqualTo("main");
        assertThat(c.dcs().toString()).contains("127.0.0.1:2379");
        assertThat(c.get(ControllerConfig.TTL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(ControllerConfig.LOOP_WAIT)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void listsEveryProblemWithItsPath() {
        assertThatThrownBy(() -> ControllerConfig.read("""
                controller:
                  cluster: "bad name"
                  dcs: http://x
                  ttl: 3s
                  dcs_timeout: 2s
                """, "controller.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("controller.name", "controller.cluster", "controller.dcs", "controller"))
                .hasMessageStartingWith("invalid configuration in controller.yml (4 problems)");
    }
}
