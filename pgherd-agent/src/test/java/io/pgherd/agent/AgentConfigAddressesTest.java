package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.HostPort;

/**
 * A member's addresses on more than one machine: {@code agent.postgres.listen}, {@code connect_address} and
 * {@code allow.*}, {@code agent.api.connect_address}. Unset, everything stays on 127.0.0.1 as before; a configuration
 * other hosts could not reach is refused with every problem listed.
 */
class AgentConfigAddressesTest {
    private static String yaml(String postgres, String api) {
        return "agent:\n  cluster: c\n  name: n1\n  dcs: etcd://10.0.0.1:2379\n  postgres:\n    dir: /tmp/n1\n"
                + "    credentials_dir: /tmp\n" + postgres + "  api:\n" + api;
    }

    private static List<String> problems(String postgres, String api) {
        ConfigException e = catchThrowableOfType(() -> AgentConfig.read(yaml(postgres, api), "n1.yml"), ConfigException.class);
        assertThat(e).as("refused").isNotNull();
        return e.problems().stream().map(p -> p.path() + ": " + p.message()).toList();
    }

    @Test
    void unsetEverythingStaysOnLoopback() {
        AgentConfig config = AgentConfig.read(yaml("    port: 5433\n", "    listen: 127.0.0.1:8009\n"), "n1.yml");

        assertThat(config.listenAddresses()).containsExactly("127.0.0.1");
        assertThat(config.connectAddress()).isEqualTo(new HostPort("127.0.0.1", 5433));
        assertThat(config.apiConnectAddress()).isEqualTo(new HostPort("127.0.0.1", 8009));
        assertThat(config.memberNetworks()).isEmpty();
        assertThat(config.clientNetworks()).isEmpty();
    }

    @Test
    void aMemberOnItsOwnHostListensThereAndPublishesItsAddresses() {
        AgentConfig config = AgentConfig.read(yaml("""
                    port: 5432
                    listen: [10.0.0.5]
                    connect_address: 10.0.0.5:5432
                    allow:
                      members: [10.0.0.0/24]
                      clients: [10.0.0.0/24, 192.168.7.0/24]
                """, """
                    listen: 0.0.0.0:8008
                    connect_address: 10.0.0.5:8008
                """), "n1.yml");

        assertThat(config.listenAddresses()).as("loopback added for the agent's own connections")
                .containsExactly("10.0.0.5", "127.0.0.1");
        assertThat(config.connectAddress()).isEqualTo(new HostPort("10.0.0.5", 5432));
        assertThat(config.apiConnectAddress()).isEqualTo(new HostPort("10.0.0.5", 8008));
        assertThat(config.memberNetworks()).containsExactly("10.0.0.0/24");
        assertThat(config.clientNetworks()).containsExactly("10.0.0.0/24", "192.168.7.0/24");
    }

    @Test
    void listeningEverywhereNeedsNoLoopbackAdded() {
        assertThat(MemberAddresses.listenAddresses(List.of("*"))).containsExactly("*");
        assertThat(MemberAddresses.listenAddresses(List.of("0.0.0.0"))).containsExactly("0.0.0.0");
        assertThat(MemberAddresses.listenAddresses(List.of("127.0.0.1", "10.0.0.5"))).containsExactly("127.0.0.1", "10.0.0.5");
        assertThat(MemberAddresses.listenAddresses(List.of("::"))).containsExactly("::", "127.0.0.1");
    }

    @Test
    void everyProblemOfTheAddressesIsListed() {
        assertThat(problems("""
                    listen: ["*"]
                    allow:
                      members: [10.0.0.0/33, 10.0.0.0]
                      clients: [db.example/24]
                """, "    listen: 0.0.0.0:8008\n")).containsExactlyInAnyOrder(
                "agent.postgres.connect_address: must be set when agent.postgres.listen is not loopback only: other members,"
                        + " controllers and proxies reach this PostgreSQL at it (such as 10.0.0.5:5432)",
                "agent.api.connect_address: must be set when agent.api.listen is a wildcard address (0.0.0.0:8008): others"
                        + " reach the REST API at it",
                "agent.postgres.allow.members[0]: prefix length must be 0..32 (got '10.0.0.0/33')",
                "agent.postgres.allow.members[1]: must be a network address/prefix length, such as 10.0.0.0/24 (got"
                        + " '10.0.0.0')",
                "agent.postgres.allow.clients[0]: must be an IPv4 or IPv6 network address, such as 10.0.0.0/24 (got"
                        + " 'db.example/24')");

        assertThat(problems("""
                    connect_address: 10.0.0.5:5432
                """, "    connect_address: 0.0.0.0:0\n")).containsExactlyInAnyOrder(
                "agent.postgres.listen: PostgreSQL would listen on loopback only, so other hosts could not reach it at"
                        + " agent.postgres.connect_address 10.0.0.5:5432; add that address (or *)",
                "agent.api.connect_address: must be an address others can connect to, not a wildcard (got 0.0.0.0:0)",
                "agent.api.connect_address: port must be 1..65535 (got 0.0.0.0:0)");

        assertThat(problems("""
                    listen: ["10.0.0.5,10.0.0.6", "*"]
                    connect_address: "*:5432"
                """, "    listen: 127.0.0.1:8008\n")).containsExactlyInAnyOrder(
                "agent.postgres.listen[0]: must be an IP address, a host name or *, one per entry (got '10.0.0.5,10.0.0.6')",
                "agent.postgres.connect_address: must be an address others can connect to, not a wildcard (got *:5432)");

        assertThat(problems("    listen: []\n", "    listen: 127.0.0.1:8008\n")).containsExactly(
                "agent.postgres.listen: must name at least one address (127.0.0.1: this machine only)");
    }
}
