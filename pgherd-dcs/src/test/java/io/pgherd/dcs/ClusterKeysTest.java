package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterKeysTest {

    private final ClusterKeys keys = new ClusterKeys("main");

    @Test
    void everyKeyLivesUnderTheClusterPrefix() {
        assertThat(keys.prefix()).isEqualTo("/pgherd/main/");
        assertThat(keys.leader()).isEqualTo("/pgherd/main/leader");
        assertThat(keys.member("node1")).isEqualTo("/pgherd/main/members/node1");
        assertThat(keys.members()).isEqualTo("/pgherd/main/members/");
        assertThat(keys.config()).isEqualTo("/pgherd/main/config");
        assertThat(keys.status()).isEqualTo("/pgherd/main/status");
        assertThat(keys.history()).isEqualTo("/pgherd/main/history");
        assertThat(keys.failover()).isEqualTo("/pgherd/main/failover");
        assertThat(keys.sync()).isEqualTo("/pgherd/main/sync");
        assertThat(keys.proxy("p1")).isEqualTo("/pgherd/main/proxies/p1");
        assertThat(keys.spec()).isEqualTo("/pgherd/main/spec");
        assertThat(keys.task("42")).isEqualTo("/pgherd/main/tasks/42");
        assertThat(keys.controller()).isEqualTo("/pgherd/main/controller");
        assertThat(keys.controllerEpoch()).isEqualTo("/pgherd/main/controller_epoch");
        assertThat(keys.assignment("node4")).isEqualTo("/pgherd/main/assignments/node4");
    }

    @Test
    void everyKeyAndPrefixIsWellFormed() {
        for (String key : new String[] {keys.leader(), keys.member("a"), keys.config(), keys.status(), keys.history(),
                keys.failover(), keys.sync(), keys.proxy("p"), keys.spec(), keys.task("t"), keys.controller(), keys.controllerEpoch(),
                keys.assignment("m")}) {
            assertThat(Keys.requireKey(key)).isEqualTo(key);
        }
        for (String prefix : new String[] {keys.prefix(), keys.members(), keys.proxies(), keys.tasks(), keys.assignments()}) {
            assertThat(Keys.requirePrefix(prefix)).isEqualTo(prefix);
        }
    }

    @Test
    void usersAndTokensLiveUnderTheClusterPrefixAndTheAuditLogOutsideIt() {
        assertThat(keys.user("alice")).isEqualTo("/pgherd/main/users/alice");
        assertThat(keys.token("0a1b2c3d4e5f6a7b")).isEqualTo("/pgherd/main/tokens/0a1b2c3d4e5f6a7b");
        assertThat(Keys.requirePrefix(keys.users())).isEqualTo("/pgherd/main/users/");
        assertThat(Keys.requirePrefix(keys.tokens())).isEqualTo("/pgherd/main/tokens/");
        assertThat(Keys.requireKey(keys.auditLog())).isEqualTo("/pgherd-audit/main");
        assertThat(keys.auditLog()).as("not listed by every agent's cycle").doesNotStartWith(keys.prefix());
        assertThat(keys.auditLog()).as("no cluster's prefix").doesNotStartWith("/pgherd/");
        assertThatThrownBy(() -> keys.user("a/b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "..", "with space"})
    void clusterNamesThatWouldBreakTheKeySpaceAreRefused(String cluster) {
        assertThatThrownBy(() -> new ClusterKeys(cluster))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "."})
    void memberNamesThatWouldBreakTheKeySpaceAreRefused(String member) {
        assertThatThrownBy(() -> keys.member(member))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member must be");
    }
}
