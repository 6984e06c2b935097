package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.common.config.HostPort;
import io.pgherd.controller.ControllerConfig;

/** The metrics ports {@code up} plans for its controllers and writes in their configuration files. */
class LocalControllersTest {
    @TempDir
    Path dir;

    private LocalControllers controllers() {
        LocalState state = new LocalState("/usr/bin", "15", List.of(new LocalState.Node("node1", "primary", 5432, 8008)), 6432,
                9930, "zookeeper://127.0.0.1:2181", "pgherd", 2181, List.of());
        return new LocalControllers(new ClusterDirectory(dir), state);
    }

    private static PortPlan taken(Set<Integer> ports) {
        return new PortPlan(p -> !ports.contains(p), p -> "pid 4" + p);
    }

    @Test
    void eachControllerGetsAFreePortFromTenAboveTheProxysMetricsAndItsConfigurationNamesIt() {
        LocalControllers local = controllers();
        PortPlan plan = taken(Set.of(9941));
        Map<String, Integer> ports = local.planMetricsPorts(3, plan);
        plan.check();
        assertThat(ports).containsExactly(Map.entry("c1", 9940), Map.entry("c2", 9942), Map.entry("c3", 9943));

        local.writeConfigurations(3, ports);

        for (String name : List.of("c1", "c2", "c3")) {
            ControllerConfig config = ControllerConfig.load(local.configFile(name));
            assertThat(config.get(ControllerConfig.METRICS_LISTEN)).isEqualTo(new HostPort("127.0.0.1", ports.get(name)));
            assertThat(config.name()).isEqualTo(name);
            assertThat(local.metricsPort(name)).isEqualTo(ports.get(name));
        }
    }

    @Test
    void aRecordedPortIsKeptEvenWhileItsControllerHoldsItAndANewControllerTakesAnother() {
        LocalControllers local = controllers();
        local.writeConfigurations(2, local.planMetricsPorts(2, taken(Set.of())));
        // c1 and c2 run: their ports are in use now.
        PortPlan plan = taken(Set.of(9940, 9941));
        Map<String, Integer> ports = local.planMetricsPorts(3, plan);
        plan.check();

        assertThat(ports).containsExactly(Map.entry("c1", 9940), Map.entry("c2", 9941), Map.entry("c3", 9942));
        assertThat(local.recordMetricsPorts(taken(Set.of())).claim(9940, false, "", "a new proxy")).isEqualTo(9942);
    }

    @Test
    void aConfigurationWrittenBeforeControllersHadMetricsGetsAPortAndNoPortIsAnError() {
        LocalControllers local = controllers();
        local.writeConfigurations(1, Map.of());
        assertThat(local.metricsPort("c1")).isZero();
        assertThat(ControllerConfig.load(local.configFile("c1")).get(ControllerConfig.METRICS_LISTEN)).isNull();

        assertThat(local.planMetricsPorts(1, taken(Set.of()))).containsExactly(Map.entry("c1", 9940));
        PortPlan none = new PortPlan(p -> false, p -> "pid 1");
        local.planMetricsPorts(1, none);
        assertThatThrownBy(none::check).hasMessageContaining("no free port at or above 9940 for the metrics of controller c1");
    }
}
