package io.pgherd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.testkit.PostgresCluster;

/** The smallest end-to-end checks: psql and pgjdbc through the proxy, in transaction pooling. */
@PostgresCluster(standby = false, replicas = 0)
class ProxyBasicsIT {
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster cluster) {
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void psqlRunsQueriesThroughTheProxy() {
        assertThat(proxy.psql("postgres", "-Atc", "select 40 + 2").requireSuccess().stdout().strip()).isEqualTo("42");
    }

    @Test
    void pgjdbcSeesItsOwnApplicationNameOnWhicheverServerItGets() throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("ApplicationName", "basics-it");
        try (Connection c = proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
             Statement s = c.createStatement()) {
            for (int i = 0; i < 20; i++) {
                try (ResultSet rs = s.executeQuery("select current_setting('application_name')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("basics-it");
                }
            }
        }
    }
}
