package io.pgherd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The kit's hosts in network namespaces, made and removed for real: processes run inside a host (also as the server
 * user), reach each other over the hosts' addresses and not over loopback (each host's own), an isolated host is cut
 * off until healed, and nothing of the kit is left after a class that failed or after {@code create} found the
 * leftovers of a killed run.
 */
class NetworkHostsIT {
    private static final Duration RUN = Duration.ofSeconds(30);
    static NetworkHosts seen;
    static String seenCidr;

    @Test
    void hostsTalkOverTheirAddressesOnlyAndAnIsolatedHostIsCutOffUntilHealed() throws Exception {
        NetworkHosts hosts = NetworkHosts.of(2);
        Path dir = TestDirectories.create("NetworkHostsIT");
        try {
            hosts.create();
            NetworkHosts.Host h1 = hosts.host(1);
            NetworkHosts.Host h2 = hosts.host(2);
            assertThat(h1.address()).startsWith(hosts.cidr().replace(".0/24", ".")).isNotEqualTo(h2.address());
            assertThat(hosts.run(h1, List.of("ip", "-4", "-o", "addr", "show", "dev", "eth0"), RUN).requireSuccess().stdout())
                    .contains("inet " + h1.address() + "/24");
            assertThat(ExternalCommand.run(h2.asServerUser(List.of("id", "-un")), Map.of(), RUN).requireSuccess()
                    .stdout().strip()).isEqualTo("postgres");

            // A server on h2, on every address of h2 (its loopback too).
            Process server = hosts.start(h2, List.of("python3", "-m", "http.server", "8765", "--bind", "0.0.0.0"),
                    dir.resolve("server.log"));
            Await.until("h1 reaches h2's server at h2's address", RUN, () -> reaches(hosts, h1, h2.address()));
            // Loopback is each host's own: h1's 127.0.0.1 is not h2.
            assertThat(reaches(hosts, h1, "127.0.0.1")).as("h1 reaching 127.0.0.1:8765").isFalse();
            assertThat(reaches(hosts, h2, "127.0.0.1")).as("h2 reaching its own 127.0.0.1:8765").isTrue();
            // The test's JVM reaches the hosts from its observer address.
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(h2.address(), 8765), 2000);
                assertThat(s.getLocalAddress().getHostAddress()).isEqualTo(hosts.observerAddress());
            }

            hosts.isolate(h2);
            assertThat(reaches(hosts, h1, h2.address())).as("h1 reaching the isolated h2").isFalse();
            hosts.heal(h2);
            Await.until("h1 reaches h2 again after healing", RUN, () -> reaches(hosts, h1, h2.address()));
            assertThat(server.isAlive()).isTrue();
        } finally {
            hosts.remove();
        }
        assertThat(NetworkHosts.namespaces()).isEmpty();
        assertThat(NetworkHosts.rootLinks()).isEmpty();
        PostgresClusterExtension.deleteTree(dir);
    }

    @Test
    void leftoversOfAKilledRunAreRemovedWithTheProcessesInside() throws Exception {
        // What a killed run leaves: a namespace of the kit with a process inside, and the observer link.
        ExternalCommand.run(List.of("ip", "netns", "add", HostNetwork.namespace(9)), Map.of(), RUN).requireSuccess();
        ExternalCommand.run(List.of("ip", "link", "add", HostNetwork.OBSERVER, "type", "veth", "peer", "name",
                HostNetwork.OBSERVER + "-br"), Map.of(), RUN)
                .requireSuccess();
        Process orphan = new ProcessBuilder(HostNetwork.inside(9, List.of("sleep", "600"))).start();
        NetworkHosts hosts = NetworkHosts.of(1);
        try {
            hosts.create();
            assertThat(NetworkHosts.namespaces()).containsExactlyInAnyOrder("pgherd-net", "pgherd-h1");
            Await.until("the leftover process is stopped", RUN, () -> !orphan.isAlive());
        } finally {
            hosts.remove();
            orphan.destroyForcibly();
        }
        assertThat(NetworkHosts.namespaces()).isEmpty();
        assertThat(NetworkHosts.rootLinks()).isEmpty();
    }

    @Test
    void aFailingClassStillRemovesItsHosts() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingTests.class))
                .execute();
        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
        assertThat(seenCidr).endsWith(".0/24");
        assertThat(NetworkHosts.namespaces()).isEmpty();
        assertThat(NetworkHosts.rootLinks()).isEmpty();
    }

    private static boolean reaches(NetworkHosts hosts, NetworkHosts.Host from, String address) {
        return hosts.run(from, List.of("python3", "-c", "import socket; socket.create_connection(('" + address
                + "', 8765), 2).close()"), RUN).exitCode() == 0;
    }

    static class FailingTests {
        @RegisterExtension
        static final NetworkHosts HOSTS = NetworkHosts.of(2);

        @Test
        void deliberateFailure() {
            seenCidr = HOSTS.cidr();
            assertThat(NetworkHosts.namespaces()).containsExactlyInAnyOrder("pgherd-net", "pgherd-h1", "pgherd-h2");
            throw new AssertionError("deliberate");
        }
    }
}
