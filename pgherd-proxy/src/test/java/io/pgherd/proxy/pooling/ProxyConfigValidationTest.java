package io.pgherd.proxy.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.proxy.config.ProxyConfig;

/** A configuration with several problems is refused whole, every problem listed with its path. */
class ProxyConfigValidationTest {
    @Test
    void everyProblemOfABadPoolConfigurationIsListedWithItsPath() {
        String yaml = """
                proxy:
                  nodes:
                    - {name: node1, host: 127.0.0.1, port: 70000}
                  auth:
                    type: trust
                  pool:
                    pool_size: 0
                    max_client_conn: -1
                    query_wait_timeout: soon
                    pool_mode: session
                  max_message_bytes: 12
                """;
        assertThatThrownBy(() -> ProxyConfig.read(yaml, "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid configuration in test")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("proxy.nodes[0].port", "proxy.pool.pool_size", "proxy.pool.max_client_conn",
                                "proxy.pool.query_wait_timeout", "proxy.pool.pool_mode", "proxy.max_message_bytes"))
                .hasMessageContaining("proxy.pool.pool_size: ")
                .hasMessageContaining("(got 0)")
                .hasMessageContaining("proxy.pool.pool_mode: unknown key")
                .hasMessageContaining("6 problems");
    }

    @Test
    void everyProblemOfABadNodeListIsListedWithItsPath() {
        String yaml = """
                proxy:
                  nodes:
                    - {name: node1, port: 5432, role: main}
                    - {name: node2, port: 5433, role: primary, weight: -3}
                    - {name: node3, port: 5434, role: primary, weight: 2000}
                  auth:
                    type: trust
                  routing:
                    primary_reads: sometimes
                """;
        assertThatThrownBy(() -> ProxyConfig.read(yaml, "test")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("proxy.nodes[0].role", "proxy.nodes[1].weight", "proxy.nodes[2].weight",
                                "proxy.nodes", "proxy.routing.primary_reads"))
                .hasMessageContaining("proxy.nodes[0].role: must be one of primary, standby, replica (got 'main')")
                .hasMessageContaining("proxy.nodes[1].weight: must be 0..1000 (got -3)")
                .hasMessageContaining("proxy.nodes: must have exactly one node of role primary (got 3)")
                .hasMessageContaining("5 problems");
    }

    @Test
    void replicasWithoutAHealthUserAreRefusedWithTheOtherChecksAcrossKeys() {
        String yaml = """
                proxy:
                  nodes:
                    - {name: node1, port: 5432}
                    - {name: node2, port: 5433, role: standby}
                  auth:
                    type: scram-sha-256
                  pool:
                    pool_size: 2
                    min_pool_size: 3
                """;
        assertThatThrownBy(() -> ProxyConfig.read(yaml, "test")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("proxy.health.user", "proxy.pool.min_pool_size", "proxy.auth"));
    }

    @Test
    void checksAcrossKeysRunOnceEachKeyIsValid() {
        String yaml = """
                proxy:
                  nodes: []
                  auth:
                    type: scram-sha-256
                  pool:
                    pool_size: 2
                    min_pool_size: 3
                """;
        assertThatThrownBy(() -> ProxyConfig.read(yaml, "test")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("proxy.nodes", "proxy.pool.min_pool_size", "proxy.auth"));
    }

    @Test
    void aValidConfigurationReadsItsValues() {
        ProxyConfig config = ProxyConfig.read("""
                proxy:
                  nodes:
                    - {name: a, host: 127.0.0.1, port: 5432}
                  auth:
                    type: trust
                  pool:
                    pool_size: 3
                    query_wait_timeout: 1500ms
                """, "test");
        assertThat(config.get(ProxyConfig.POOL_SIZE)).isEqualTo(3);
        assertThat(config.get(ProxyConfig.QUERY_WAIT_TIMEOUT)).hasMillis(1500);
        assertThat(config.primary().name()).isEqualTo("a");
    }
}
