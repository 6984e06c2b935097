package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DcsAddressTest {

    @Test
    void etcdAddressWithSeveralServers() {
        DcsAddress address = DcsAddress.parse("etcd://10.0.0.1:2379,10.0.0.2:2380,etcd3");

        assertThat(address.backend()).isEqualTo(DcsAddress.Backend.ETCD);
        assertThat(address.servers()).containsExactly(
                InetSocketAddress.createUnresolved("10.0.0.1", 2379),
                InetSocketAddress.createUnresolved("10.0.0.2", 2380),
                InetSocketAddress.createUnresolved("etcd3", 2379));
        assertThat(address).hasToString("etcd://10.0.0.1:2379,10.0.0.2:2380,etcd3:2379");
    }

    @Test
    void zooKeeperAddressDefaultsToPort2181() {
        DcsAddress address = DcsAddress.parse("zookeeper://zk1,zk2:2182/");

        assertThat(address.backend()).isEqualTo(DcsAddress.Backend.ZOOKEEPER);
        assertThat(address.hostPorts()).isEqualTo("zk1:2181,zk2:2182");
    }

    @Test
    void ipv6HostsKeepTheirBrackets() {
        assertThat(DcsAddress.parse("etcd://[::1]:2379").hostPorts()).isEqualTo("[::1]:2379");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:2379", "consul://h:8500", "etcd://", "etcd://h:2379/path", "etcd://h:2379,,h2", "etcd://user@h:1"})
    void malformedAddressesAreRefusedWithTheAddressInTheMessage(String text) {
        assertThatThrownBy(() -> DcsAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dcs address")
                .hasMessageContaining(text);
    }
}
