package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
/** The sentence a wait for their acknowledgements logs. */
class ProxyAcksTest {
    @Test
    void theSentenceSaysHowLongTheWaitTookAndWhoAcknowledged() {
        Duration timeout = Duration.ofSeconds(10);
        assertThat(new ProxyAcks.Outcome(ProxyAcks.Ending.ACKNOWLEDGED, 12, List.of("p1", "p2"), List.of(), 412, timeout)
                .sentence()).isEqualTo("every proxy acknowledged the switchover (failover revision 12) after 412 ms (p1, p2):"
                + " shutting down");
        assertThat(new ProxyAcks.Outcome(ProxyAcks.Ending.TIMED_OUT, 12, List.of("p1"), List.of("p2"), 10_003, timeout)
                .sentence()).isEqualTo("waited 10003 ms for the proxies to acknowledge the switchover (failover revision 12):"
                + " acknowledged by p1, not by p2 (agent.ha.proxy_ack_timeout 10s): shutting down anyway");
        assertThat(new ProxyAcks.Outcome(ProxyAcks.Ending.NO_PROXIES, 12, List.of(), List.of(), 0, timeout).sentence())
                .isEqualTo("no proxy is registered: shutting down for the switchover (failover revision 12) without waiting");
    }
}
