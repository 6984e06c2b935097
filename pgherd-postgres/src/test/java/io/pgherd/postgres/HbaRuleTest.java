package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The pg_hba.conf rules pgherd writes for members on many hosts, and which network addresses it takes. */
class HbaRuleTest {
    @Test
    void withoutNetworksOnlyLoopbackMayLogIn() {
        assertThat(HbaRule.forNetworks("postgres", "replicator", List.of(), List.of()))
                .isEqualTo(HbaRule.loopback("replicator"))
                .allSatisfy(r -> assertThat(r.address() == null || r.address().equals("127.0.0.1/32")
                        || r.address().equals("::1/128")).isTrue());
    }

    @Test
    void membersMayStreamAndLogInAsTheSuperuserClientsAsAnyRoleAlwaysWithAPassword() {
        List<HbaRule> rules = HbaRule.forNetworks("postgres", "replicator", List.of("10.0.0.0/24", "fd00::/64"),
                List.of("192.168.1.0/24"));

        assertThat(rules).startsWith(HbaRule.loopback("replicator").toArray(HbaRule[]::new));
        assertThat(rules.subList(HbaRule.loopback("replicator").size(), rules.size())).containsExactly(
                HbaRule.host("replication", "replicator", "10.0.0.0/24", "scram-sha-256"),
                HbaRule.host("all", "postgres", "10.0.0.0/24", "scram-sha-256"),
                HbaRule.host("replication", "replicator", "fd00::/64", "scram-sha-256"),
                HbaRule.host("all", "postgres", "fd00::/64", "scram-sha-256"),
                HbaRule.host("all", "all", "192.168.1.0/24", "scram-sha-256"));
        assertThat(rules).extracting(HbaRule::method).containsOnly("scram-sha-256");
        assertThat(HbaRule.render(rules)).contains("host     replication  replicator   10.0.0.0/24        scram-sha-256")
                .doesNotContain("trust");
    }

    @Test
    void aNetworkIsAnAddressWithAPrefixLength() {
        record Row(String network, Optional<String> problem) {
        }
        for (Row row : List.of(
                new Row("10.0.0.0/24", Optional.empty()),
                new Row("0.0.0.0/0", Optional.empty()),
                new Row("10.0.0.5/32", Optional.empty()),
                new Row("fd00::/64", Optional.empty()),
                new Row("10.0.0.0", Optional.of("must be a network address/prefix length, such as 10.0.0.0/24 (got '10.0.0.0')")),
                new Row("10.0.0.0/", Optional.of("must be a network address/prefix length, such as 10.0.0.0/24 (got '10.0.0.0/')")),
                new Row("10.0.0.0/33", Optional.of("prefix length must be 0..32 (got '10.0.0.0/33')")),
                new Row("10.0.0.256/24", Optional.of("must be an IPv4 or IPv6 network address, such as 10.0.0.0/24 (got"
                        + " '10.0.0.256/24')")),
                new Row("db.example/24", Optional.of("must be an IPv4 or IPv6 network address, such as 10.0.0.0/24 (got"
                        + " 'db.example/24')")),
                new Row("fd00::/129", Optional.of("prefix length must be 0..128 (got 'fd00::/129')")))) {
            assertThat(HbaRule.networkProblem(row.network())).as(row.network()).isEqualTo(row.problem());
        }
    }
}
