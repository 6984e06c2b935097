package io.pgherd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The test network's plan: which subnet, which names and addresses, which {@code ip} commands. */
class HostNetworkTest {
    @Test
    void theFirstCandidateOverlappingNoInterfaceIsChosen() {
        record Row(List<String> used, Optional<String> chosen) {
        }
        for (Row row : List.of(
                new Row(List.of("127.0.0.1/8", "192.0.2.2/24"), Optional.of("10.213.47")),
                new Row(List.of("127.0.0.1/8", "10.213.47.9/24"), Optional.of("10.213.48")),
                // A wide network covers every 10.x candidate.
                new Row(List.of("10.0.0.5/8"), Optional.of("172.31.213")),
                new Row(List.of("10.0.0.5/8", "172.16.0.1/12"), Optional.of("192.168.213")),
                new Row(List.of("10.0.0.5/8", "172.16.0.1/12", "192.168.0.1/16"), Optional.empty()),
                // A host route inside a candidate.
                new Row(List.of("10.213.47.200/32"), Optional.of("10.213.48")),
                new Row(List.of(), Optional.of("10.213.47")))) {
            assertThat(HostNetwork.freeSubnet(row.used())).as(row.used().toString()).isEqualTo(row.chosen());
        }
    }

    @Test
    void overlapComparesTheShorterPrefix() {
        assertThat(HostNetwork.overlaps("10.213.47.0/24", "10.213.47.254/32")).isTrue();
        assertThat(HostNetwork.overlaps("10.213.47.0/24", "10.213.46.0/24")).isFalse();
        assertThat(HostNetwork.overlaps("10.213.47.0/24", "0.0.0.0/0")).isTrue();
        assertThat(HostNetwork.overlaps("192.168.213.0/24", "192.168.0.0/16")).isTrue();
    }

    @Test
    void hostsHaveFixedPrefixedNamesAndAddressesInTheSubnet() {
        HostNetwork n = new HostNetwork("10.213.47", 3);
        assertThat(n.address(1)).isEqualTo("10.213.47.1");
        assertThat(n.address(3)).isEqualTo("10.213.47.3");
        assertThat(n.observerAddress()).isEqualTo("10.213.47.254");
        assertThat(n.cidr()).isEqualTo("10.213.47.0/24");
        assertThat(HostNetwork.namespace(2)).isEqualTo("pgherd-h2");
        assertThat(HostNetwork.bridgePort(2)).isEqualTo("pgh-h2");
        assertThat(n.numbers()).containsExactly(1, 2, 3);
        // Interface names are at most 15 characters.
        assertThat(HostNetwork.bridgePort(200)).hasSizeLessThanOrEqualTo(15);
        assertThat(HostNetwork.OBSERVER + "-br").hasSizeLessThanOrEqualTo(15);
        assertThatThrownBy(() -> new HostNetwork("10.213.47", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void creationMakesTheBridgeNamespaceThenEachHostThenTheObserver() {
        List<List<String>> commands = new HostNetwork("10.213.47", 2).creation();
        assertThat(commands.get(0)).containsExactly("ip", "netns", "add", "pgherd-net");
        assertThat(commands).contains(
                List.of("ip", "-n", "pgherd-net", "link", "add", "pgh-br", "type", "bridge"),
                List.of("ip", "netns", "add", "pgherd-h1"),
                List.of("ip", "-n", "pgherd-h1", "link", "set", "lo", "up"),
                List.of("ip", "-n", "pgherd-net", "link", "add", "pgh-h2", "type", "veth", "peer", "name", "eth0", "netns",
                        "pgherd-h2"),
                List.of("ip", "-n", "pgherd-net", "link", "set", "pgh-h2", "master", "pgh-br"),
                List.of("ip", "-n", "pgherd-h2", "addr", "add", "10.213.47.2/24", "dev", "eth0"),
                List.of("ip", "addr", "add", "10.213.47.254/24", "dev", "pgh-obs"));
        // The namespaces exist before anything is put into them.
        assertThat(commands.indexOf(List.of("ip", "netns", "add", "pgherd-h2"))).isLessThan(commands.indexOf(
                List.of("ip", "-n", "pgherd-net", "link", "add", "pgh-h2", "type", "veth", "peer", "name", "eth0", "netns",
                        "pgherd-h2")));
        // Nothing but the observer link is made in the root namespace.
        assertThat(commands.stream().filter(c -> !c.contains("-n") && !c.contains("netns")).toList())
                .allSatisfy(c -> assertThat(c).contains("pgh-obs"));
    }

    @Test
    void removalTakesOnlyTheKitsNamesAndTheObserverFirst() {
        assertThat(HostNetwork.removal(List.of("pgherd-net", "pgherd-h1", "other-ns"), List.of("eth0", "pgh-obs")))
                .containsExactly(List.of("ip", "link", "del", "pgh-obs"), List.of("ip", "netns", "del", "pgherd-net"),
                        List.of("ip", "netns", "del", "pgherd-h1"));
        assertThat(HostNetwork.removal(List.of("other-ns"), List.of("eth0"))).isEmpty();
    }

    @Test
    void faultsAndCommandsInsideAHost() {
        assertThat(HostNetwork.isolation(2)).containsExactly("ip", "-n", "pgherd-net", "link", "set", "pgh-h2", "down");
        assertThat(HostNetwork.healing(2)).containsExactly("ip", "-n", "pgherd-net", "link", "set", "pgh-h2", "up");
        assertThat(HostNetwork.inside(1, List.of("psql", "-c", "select 1")))
                .containsExactly("ip", "netns", "exec", "pgherd-h1", "psql", "-c", "select 1");
        assertThat(new NetworkHosts.Host(1, "h1", "10.213.47.1").command(List.of("true")))
                .containsExactly("ip", "netns", "exec", "pgherd-h1", "true");
    }
}
