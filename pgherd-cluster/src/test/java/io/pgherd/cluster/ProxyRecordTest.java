package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.pgherd.dcs.Entry;

/** Proxy records as the agents read them (moved from the agent's ProxyAcksTest). */
class ProxyRecordTest {
    private final UnreadableRecords unreadable = new UnreadableRecords();

    private static Entry record(String name, String value) {
        return new Entry("/pgherd/main/proxies/" + name, value, 7, 9, true);
    }

    @Test
    void aProxyRecordGivesItsNameAckAndHoldStart() {
        assertThat(ClusterStore.proxyRecord(record("p1", "{\"name\": \"p1\", \"ack\": 42, \"held_since\": 1700000000000}"), unreadable))
                .isEqualTo(new ProxyRecord("p1", 42, 1_700_000_000_000L));
        assertThat(unreadable.count()).isZero();
    }

    @Test
    void aRecordWithoutANameKeepsItsReads() {
        assertThat(ClusterStore.proxyRecord(record("p4", "{\"ack\": 0, \"reads\": {\"node3\": 1}}"), unreadable).readsOn("node3"))
                .hasValue(1);
    }

    @Test
    void aRecordThatCannotBeReadAcknowledgesNothingAndIsNamedByItsKey() {
        assertThat(ClusterStore.proxyRecord(record("p2", "not json"), unreadable)).isEqualTo(new ProxyRecord("p2", 0, 0));
        assertThat(ClusterStore.proxyRecord(record("p3", "{\"ack\": \"x\"}"), unreadable)).isEqualTo(new ProxyRecord("p3", 0, 0));
        assertThat(unreadable.count()).as("each is reported, not dropped silently").isEqualTo(2);
    }
}
