package io.pgherd.proxy.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.PostgresCluster;

/** Session pooling with its reset, min_pool_size, and a server that cannot be reached. */
@PostgresCluster(standby = false, replicas = 0)
class SessionModeAndPoolSizingIT {
    static LocalCluster cluster;

    @BeforeAll
    static void keep(LocalCluster c) {
        cluster = c;
    }

    @Test
    void inSessionModeAClientKeepsItsServerAndTheNextClientGetsItResetByDiscardAll() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    mode: session\n    pool_size: 1\n")) {
            int firstPid;
            try (Connection a = proxy.connect("postgres")) {
                firstPid = Sql.backendPid(a);
                Sql.execute(a, "set search_path = a_schema");
                Sql.execute(a, "prepare sql_stmt as select 1");
                for (int i = 0; i < 5; i++) {
                    assertThat(Sql.backendPid(a)).isEqualTo(firstPid);
                }
                assertThat(Sql.value(a, "show search_path")).isEqualTo("a_schema");
            }
            try (Connection b = proxy.connect("postgres")) {
                assertThat(Sql.backendPid(b)).as("the pool's only server").isEqualTo(firstPid);
                assertThat(Sql.value(b, "show search_path")).isEqualTo("\"$user\", public");
                assertThat(Sql.value(b, "select count(*) from pg_prepared_statements")).isEqualTo("0");
            }
        }
    }

    @Test
    void minPoolSizeOpensServerConnectionsBeforeTheyAreNeeded() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 5\n    min_pool_size: 3\n")) {
            try (Connection c = proxy.connect("postgres")) {
                Sql.execute(c, "select 1");
                Await.until("3 server connections in the pool", Duration.ofSeconds(15), () -> {
                    List<Map<String, String>> pools = Sql.admin(proxy, "SHOW POOLS");
                    return pools.stream().anyMatch(p -> "postgres".equals(p.get("database")) && "3".equals(p.get("sv_total")));
                });
            }
        }
    }

    @Test
    void aServerThatCannotBeReachedGivesTheClientAClearError() throws Exception {
        int nobodyListens = FreePorts.allocate();
        String yaml = "  pool:\n    server_connect_timeout: 2s\n";
        try (ProxyFixture proxy = ProxyFixture.start(cluster, yaml)) {
            proxy.writeConfig(yaml.replace("  pool:", "  nodes:\n    - {name: gone, host: 127.0.0.1, port: " + nobodyListens
                    + "}\n  pool:"));
            try (Connection admin = Sql.admin(proxy)) {
                Sql.execute(admin, "RELOAD");
            }
            Properties props = new Properties();
            assertThatThrownBy(() -> proxy.connect("postgres", proxy.superuserPassword(), "postgres", props).close())
                    .isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                    .hasMessageContaining("pgherd: could not connect to gone@127.0.0.1:" + nobodyListens);
        }
    }
}
