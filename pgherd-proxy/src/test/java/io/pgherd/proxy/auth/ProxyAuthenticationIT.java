package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.pgherd.postgres.HbaRule;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * Logging in through the proxy as a client would: a role the auth file does not list, found with
 * auth_query; an md5 role end to end (md5 towards the proxy, md5 towards the server with the secret
 * alone); wrong passwords refused with PostgreSQL's message and SQLSTATE.
 */
@PostgresCluster(standby = false, replicas = 0)
class ProxyAuthenticationIT {
    @Test
    void aRoleMissingFromTheAuthFileIsLookedUpWithAuthQuery(LocalCluster cluster) throws Exception {
        Path passwordFile = Files.createTempFile("auth-user", ".pw");
        Files.writeString(passwordFile, cluster.credentials().superuserPassword() + "\n");
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  auth:\n    file: /dev/null\n")) {
            try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("create role late_comer login password 'late secret'");
            }
            // An empty auth file and no auth_query: nobody can log in yet.
            assertThatThrownBy(() -> proxy.connect("late_comer", "late secret", "postgres", new Properties()).close())
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
            proxy.writeConfig("  auth:\n    file: " + proxy.authFile() + "\n    user: postgres\n    password_file: "
                    + passwordFile + "\n");
            Files.writeString(proxy.authFile(), "");
            proxy.proxy().reload();
            try (Connection c = proxy.connect("late_comer", "late secret", "postgres", new Properties());
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("late_comer");
            }
            assertThatThrownBy(() -> proxy.connect("late_comer", "wrong", "postgres", new Properties()).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed for user \"late_comer\"")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
            assertThatThrownBy(() -> proxy.connect("nobody_at_all", "x", "postgres", new Properties()).close())
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        } finally {
            Files.deleteIfExists(passwordFile);
        }
    }

    @Test
    void anMd5RoleLogsInThroughTheProxyWithTheMd5SecretAlone(LocalCluster cluster) throws Exception {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("set password_encryption = 'md5'");
            s.execute("create role old_app login password 'md5 era'");
        }
        List<HbaRule> rules = new ArrayList<>();
        rules.add(HbaRule.host("all", "old_app", "127.0.0.1/32", "md5"));
        rules.addAll(HbaRule.loopback(cluster.credentials().replicationUser()));
        cluster.primary().writeHba(rules);
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("select pg_reload_conf()");
        }
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  auth:\n    type: md5\n    file: AUTHFILE\n"
                .replace("AUTHFILE", "/dev/null"))) {
            proxy.writeConfig("  auth:\n    type: md5\n    file: " + proxy.authFile() + "\n");
            proxy.proxy().reload();
            Await.until("old_app logs in through the proxy", Duration.ofSeconds(10), () -> {
                try (Connection c = proxy.connect("old_app", "md5 era", "postgres", new Properties());
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_user")) {
                    rs.next();
                    return rs.getString(1).equals("old_app");
                }
            });
            assertThatThrownBy(() -> proxy.connect("old_app", "wrong", "postgres", new Properties()).close())
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        } finally {
            cluster.primary().writeHba(HbaRule.loopback(cluster.credentials().replicationUser()));
            try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
                s.execute("select pg_reload_conf()");
            }
        }
    }
}
