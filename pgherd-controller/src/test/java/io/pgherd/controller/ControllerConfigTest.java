package io.pgherd.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.controller.replicas.ReplicaContext;
import io.pgherd.controller.replicas.ReplicaRules;

class ControllerConfigTest {
    /** Controller c1 of cluster main on etcd: what every configuration here starts with (more keys follow it). */
    private static final String C1 = """
            controller:
              cluster: main
              name: c1
              dcs: etcd://127.0.0.1:2379
            """;

    @Test
    void readsAValidFileWithDefaults() {
        ControllerConfig c = ControllerConfig.read(C1, "controller.yml");

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

    @Test
    void keepsNoReadReplicasUnlessAProvisionerIsConfigured() {
        ControllerConfig c = ControllerConfig.read(C1, "controller.yml");

        assertThat(c.keepsReplicas()).isFalse();
        assertThat(c.replicaLimits()).isEqualTo(new ReplicaContext.Limits(16 * 1024 * 1024, 30 * 60_000, 10 * 60_000));
    }

    @Test
    void readsTheLocalProvisionersSettings() {
        ControllerConfig c = ControllerConfig.read(C1 + """
                  provisioner: local
                  dir: /srv/pgherd
                  ports: 7000-7099
                  max_lag_bytes: 1048576
                  stream_timeout: 2m
                  drain_timeout: 30s
                  retry_after: 1m
                  name_prefix: rr
                """, "controller.yml");

        assertThat(c.keepsReplicas()).isTrue();
        assertThat(c.ports()).containsExactly(7000, 7099);
        assertThat(c.replicaPolicy()).isEqualTo(new ReplicaRules.Policy("local", 1048576, 60_000, "rr"));
        assertThat(c.replicaLimits()).isEqualTo(new ReplicaContext.Limits(1048576, 120_000, 30_000));
    }

    @Test
    void listsEveryProblemOfTheReplicaSettings() {
        assertThatThrownBy(() -> ControllerConfig.read(C1 + """
                  provisioner: local
                  name_prefix: "9x"
                """, "controller.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::toString)
                        .containsExactlyInAnyOrder(
                                new ConfigProblem("controller.dir", "must be set with the local provisioner").toString(),
                                new ConfigProblem("controller.ports", "must be set with the local provisioner").toString(),
                                new ConfigProblem("controller.name_prefix",
                                        "must be a letter followed by up to 40 letters, digits, _ or - (got 9x)").toString()));
        assertThatThrownBy(() -> ControllerConfig.read(C1 + """
                  provisioner: cloud
                  ports: 9000-8000
                """, "controller.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("controller.provisioner", "controller.ports"))
                .hasMessageContaining("must be none, local or spare (got cloud)")
                .hasMessageContaining("must be FIRST-LAST, 1024 <= FIRST < LAST <= 65535 (got 9000-8000)");
        assertThatThrownBy(() -> ControllerConfig.read(C1 + """
                  provisioner: spare
                """, "controller.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::toString)
                        .containsExactly(new ConfigProblem("controller.superuser_password_file", "must be set with the spare"
                                + " provisioner when controller.dir is not (the controller reaches the leader as the superuser)")
                                .toString()));
    }

    @Test
    void aSpareControllerOnAnotherHostNeedsOnlyTheSuperusersPasswordFile() {
        ControllerConfig remote = ControllerConfig.read(C1 + """
                  provisioner: spare
                  superuser_password_file: /etc/pgherd/superuser.password
                """, "controller.yml");
        ControllerConfig local = ControllerConfig.read(C1 + """
                  provisioner: spare
                  dir: /srv/pgherd
                """, "controller.yml");
        ControllerConfig both = ControllerConfig.read(C1 + """
                  provisioner: local
                  ports: 7000-7099
                  dir: /srv/pgherd
                  superuser_password_file: /run/secrets/pg
                """, "controller.yml");

        assertThat(remote.keepsReplicas()).isTrue();
        assertThat(remote.superuserPasswordFile()).contains(Path.of("/etc/pgherd/superuser.password"));
        assertThat(local.superuserPasswordFile()).contains(Path.of("/srv/pgherd/superuser.password"));
        assertThat(both.superuserPasswordFile()).contains(Path.of("/run/secrets/pg"));
        assertThat(ControllerConfig.read(C1, "controller.yml").superuserPasswordFile()).isEmpty();
    }

    @Test
    void theLocalProvisionerStillNeedsTheClusterDirectory() {
        assertThatThrownBy(() -> ControllerConfig.read(C1 + """
                  provisioner: local
                  ports: 7000-7099
                  superuser_password_file: /etc/pgherd/superuser.password
                """, "controller.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactly("controller.dir"));
    }
}
