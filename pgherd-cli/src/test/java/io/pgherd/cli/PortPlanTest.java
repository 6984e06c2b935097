package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Ports claimed against a fixed set of taken ones: what is used, what moves, what is refused and how it reads. */
class PortPlanTest {
    private static final Set<Integer> TAKEN = Set.of(6432, 6433, 9930);

    private static PortPlan plan() {
        return new PortPlan(p -> !TAKEN.contains(p), p -> "pid 4" + p + " (squatter)");
    }

    @Test
    void aDefaultMovesToTheNextFreePort() {
        PortPlan plan = plan();
        assertThat(plan.claim(6432, false, "--proxy-port", "the proxy")).isEqualTo(6434);
        assertThat(plan.claim(6432, false, "--proxy-port", "proxy2")).as("past what was claimed").isEqualTo(6435);
        plan.check();
    }

    @Test
    void aDefaultSkipsAPortReservedForAnExactClaim() {
        PortPlan plan = plan().reserve(15432);
        assertThat(plan.claim(15432, false, "", "node2")).isEqualTo(15433);
        assertThat(plan.claim(15432, true, "--base-port", "node1")).isEqualTo(15432);
        plan.check();
    }

    @Test
    void anExactPortThatIsFreeIsUsed() {
        PortPlan plan = plan();
        assertThat(plan.claim(7000, true, "--proxy-port", "the proxy")).isEqualTo(7000);
        assertThat(plan.require(7001, "node1")).isEqualTo(7001);
        plan.check();
    }

    @Test
    void anExactPortThatIsTakenIsRefusedNamingItsHolderWithEveryOtherRefusal() {
        PortPlan plan = plan();
        plan.claim(6433, true, "--proxy-port", "the proxy's clients");
        plan.require(9930, "the proxy's metrics");
        plan.claim(7000, true, "--api-port", "the agent of node1");
        plan.claim(7000, true, "--zookeeper-port", "the embedded ZooKeeper");
        assertThatThrownBy(plan::check).isInstanceOf(CommandFailure.class).hasMessage("cannot start:"
                + " port 6433 (--proxy-port, the proxy's clients) is in use by pid 46433 (squatter);"
                + " port 9930 (the proxy's metrics) is in use by pid 49930 (squatter);"
                + " port 7000 (--zookeeper-port, the embedded ZooKeeper) is also wanted for the agent of node1;"
                + " stop that process or choose another port (nothing was started)");
    }
}
