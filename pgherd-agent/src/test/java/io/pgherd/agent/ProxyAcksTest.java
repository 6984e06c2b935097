package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pgherd.dcs.Entry;

/** Proxy records as the agent reads them, and the sentence a wait for their acknowledgements logs. */
class ProxyAcksTest {
    private static Entry record(String name, String value) {
        return new Entry("/pgherd/main/proxies/" + name, value, 7, 9, true);
    }

    @Test
    void aProxyRecordGivesItsNameAckAndHoldStart() {
        assertThat(ClusterStore.proxyRecord(record("p1", "{\"name\": \"p1\", \"ack\": 42, \"held_since\": 1700000000000}")))
                .isEqualTo(new ClusterStore.ProxyRecord("p1", 42, 1_700_000_000_000L));
    }

    @Test
    void aRecordThatCannotBeReadAcknowledgesNothingAndIsNamedByItsKey() {
        assertThat(ClusterStore.proxyRecord(record("p2", "not json"))).isEqualTo(new ClusterStore.ProxyRecord("p2", 0, 0));
        assertThat(ClusterStore.proxyRecord(record("p3", "{\"ack\": \"x\"}"))).isEqualTo(new ClusterStore.ProxyRecord("p3", 0, 0));
    }

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
