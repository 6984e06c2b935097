package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ClusterLayoutTest {
    @Test
    void theStandardLayoutIsPrimaryStandbyThenReplicasOnTheGivenPorts() {
        ClusterLayout layout = ClusterLayout.standard(Path.of("/x"), true, 2, List.of(5, 6, 7, 8), Map.of());
        assertThat(layout.nodes()).containsExactly(
                new NodeSpec("node1", NodeRole.PRIMARY, 5), new NodeSpec("node2", NodeRole.STANDBY, 6),
                new NodeSpec("node3", NodeRole.REPLICA, 7), new NodeSpec("node4", NodeRole.REPLICA, 8));
    }

    @Test
    void everyProblemOfABadLayoutIsListed() {
        assertThatThrownBy(() -> new ClusterLayout(Path.of("/x"), List.of(new NodeSpec("a", NodeRole.REPLICA, 5),
                new NodeSpec("a", NodeRole.PRIMARY, 5), new NodeSpec("b", NodeRole.PRIMARY, 6)), Map.of()))
                .hasMessage("invalid cluster layout: the first node must be the primary; only one node may be the primary;"
                        + " node name a is used twice; port 5 is used twice");
    }

    @Test
    void nodeNamesAndPortsAreChecked() {
        assertThatThrownBy(() -> new NodeSpec("Bad-Name", NodeRole.REPLICA, 5))
                .hasMessage("node name must match [a-z][a-z0-9_]{0,62} (got 'Bad-Name')");
        assertThatThrownBy(() -> new NodeSpec("n", NodeRole.REPLICA, 70000))
                .hasMessage("node n: port must be 1..65535 (got 70000)");
    }
}
