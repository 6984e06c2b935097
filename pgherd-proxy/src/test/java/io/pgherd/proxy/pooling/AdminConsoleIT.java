package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.clientId;
import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/** The admin console (database pgherd): SHOW commands, PAUSE/RESUME, RELOAD and KILL. */
@PostgresCluster(standby = false, replicas = 0)
class AdminConsoleIT {
    private static final String CONFIG = "  pool:\n    pool_size: 4\n";
    static ProxyFixture proxy;
    static ExecutorService threads;

    @BeforeAll
    static void start(LocalCluster cluster) {
        proxy = ProxyFixture.start(cluster, CONFIG);
        proxy.createUser("app_user", "app-secret");
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        proxy.close();
    }

    private static Map<String, String> row(List<Map<String, String>> rows, String column, String value) {
        return rows.stream().filter(r -> value.equals(r.get(column))).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + column + " = " + value + " in " + rows));
    }

    private static String config(String key) throws SQLException {
        return row(Sql.admin(proxy, "SHOW CONFIG"), "key", key).get("value");
    }

    @Test
    void showCommandsDescribeTheProxysClientsServersAndPools() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            c.setAutoCommit(false);
            int pid = backendPid(c);
            try (Connection admin = Sql.admin(proxy)) {
                Map<String, String> pool = row(Sql.rows(admin, "SHOW POOLS"), "database", "postgres");
                assertThat(pool).containsEntry("user", "postgres").containsEntry("node", "node1");
                assertThat(Integer.parseInt(pool.get("sv_active"))).isGreaterThanOrEqualTo(1);

                Map<String, String> client = row(Sql.rows(admin, "SHOW CLIENTS"), "id", clientId(c));
                assertThat(client).containsEntry("user", "postgres").containsEntry("database", "postgres")
                        .containsEntry("state", "linked").containsEntry("last_query", "select pg_backend_pid()");

                Map<String, String> server = row(Sql.rows(admin, "SHOW SERVERS"), "backend_pid", Integer.toString(pid));
                assertThat(server).containsEntry("state", "active").containsEntry("id", client.get("server"));

                c.commit();
                Await.until("server connection " + pid + " to be idle after the commit", Duration.ofSeconds(5),
                        () -> "idle".equals(row(Sql.rows(admin, "SHOW SERVERS"), "backend_pid", Integer.toString(pid)).get("state")));

                List<Map<String, String>> stats = Sql.rows(admin, "SHOW STATS");
                assertThat(Long.parseLong(row(stats, "stat", "queries").get("value"))).isPositive();
                assertThat(Long.parseLong(row(stats, "stat", "transactions").get("value"))).isPositive();
                assertThat(Long.parseLong(row(stats, "stat", "clients_connected").get("value"))).isGreaterThanOrEqualTo(1);

                Map<String, String> poolSize = row(Sql.rows(admin, "SHOW CONFIG"), "key", "proxy.pool.pool_size");
                assertThat(poolSize).containsEntry("value", "4").containsEntry("default", "20").containsEntry("reloadable", "yes");

                String id = clientId(c);
                assertThat(Sql.rows(admin, "SHOW PINS")).noneMatch(r -> r.get("client").equals(id));
                assertThat(Sql.rows(admin, "SHOW HELP")).extracting(r -> r.get("command")).anyMatch(h -> h.startsWith("SHOW POOLS"))
                        .anyMatch(h -> h.startsWith("PAUSE")).anyMatch(h -> h.startsWith("RELOAD")).anyMatch(h -> h.startsWith("KILL"));
                assertThatThrownBy(() -> Sql.rows(admin, "SHOW NONSENSE")).isInstanceOf(PSQLException.class)
                        .hasMessageContaining("unknown admin command");
                assertThat(value(admin, "SHOW POOLS")).as("the console still answers after an error").isEqualTo("node1");
            }
        }
    }

    @Test
    void aUserWhoIsNotAnAdminIsRefused() {
        assertThatThrownBy(() -> proxy.connect("app_user", "app-secret", "pgherd", new Properties()).close())
                .isInstanceOf(PSQLException.class)
                .hasMessageContaining("admin_users")
                .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).isEqualTo("28000"));
    }

    @Test
    void pauseWaitsForRunningTransactionsAndHoldsNewOnesUntilResume() throws Exception {
        try (Connection running = proxy.connect("postgres"); Connection later = proxy.connect("postgres");
             Connection admin = Sql.admin(proxy)) {
            running.setAutoCommit(false);
            backendPid(running);
            CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> run(admin, "PAUSE"), threads);
            try {
                assertThatThrownBy(() -> pause.get(500, TimeUnit.MILLISECONDS))
                        .as("PAUSE completes only when the open transaction ends").isInstanceOf(TimeoutException.class);
                assertThat(value(running, "select 'still working'")).as("the open transaction goes on")
                        .isEqualTo("still working");
                running.commit();
                pause.get(10, TimeUnit.SECONDS);

                CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> query(later, "select 'after resume'"), threads);
                Await.until("the new transaction to wait while paused", Duration.ofSeconds(10),
                        () -> "waiting".equals(row(Sql.admin(proxy, "SHOW CLIENTS"), "id", clientId(later)).get("state")));
                assertThat(held).as("a transaction started during PAUSE").isNotDone();
                execute(admin, "RESUME");
                assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("after resume");
            } finally {
                Sql.admin(proxy, "RESUME");
            }
        }
    }

    @Test
    void reloadAppliesAReloadableKeyAndNamesTheKeysThatNeedARestart() throws Exception {
        try {
            proxy.writeConfig("  pool:\n    pool_size: 6\n  max_message_bytes: 65536\n");
            List<Map<String, String>> answer = Sql.admin(proxy, "RELOAD");
            assertThat(answer).hasSize(1);
            String[] parts = answer.get(0).get("reload").split("; needs a restart to take effect: ");
            assertThat(parts).as(answer.get(0).get("reload")).hasSize(2);
            assertThat(parts[0]).startsWith("changed: ").contains("proxy.pool.pool_size").contains("proxy.max_message_bytes");
            assertThat(parts[1]).contains("proxy.max_message_bytes").doesNotContain("pool_size");
            assertThat(config("proxy.pool.pool_size")).isEqualTo("6");
            try (Connection c = proxy.connect("postgres")) {
                assertThat(value(c, "select 1")).isEqualTo("1");
            }
        } finally {
            proxy.writeConfig(CONFIG);
            Sql.admin(proxy, "RELOAD");
        }
        assertThat(config("proxy.pool.pool_size")).isEqualTo("4");
    }

    @Test
    void reloadOfABrokenFileListsEveryProblemAndKeepsTheOldConfiguration() throws Exception {
        try {
            proxy.writeConfig("  pool:\n    pool_size: 0\n    query_wait_timeout: soon\n  pool_sise: 3\n");
            assertThatThrownBy(() -> Sql.admin(proxy, "RELOAD")).isInstanceOf(PSQLException.class)
                    .hasMessageContaining("proxy.pool.pool_size")
                    .hasMessageContaining("proxy.pool.query_wait_timeout")
                    .hasMessageContaining("proxy.pool_sise")
                    .hasMessageContaining("3 problems");
            assertThat(config("proxy.pool.pool_size")).isEqualTo("4");
            assertThat(config("proxy.pool.query_wait_timeout")).isEqualTo(row(Sql.admin(proxy, "SHOW CONFIG"), "key",
                    "proxy.pool.query_wait_timeout").get("default"));
            try (Connection c = proxy.connect("postgres")) {
                assertThat(value(c, "select 1")).isEqualTo("1");
            }
        } finally {
            proxy.writeConfig(CONFIG);
            Sql.admin(proxy, "RELOAD");
        }
    }

    @Test
    void killClosesThatClientWithAdminShutdownAndOthersGoOn() throws Exception {
        try (Connection victim = proxy.connect("postgres"); Connection bystander = proxy.connect("postgres")) {
            assertThat(value(victim, "select 1")).isEqualTo("1");
            String id = clientId(victim);
            assertThat(Sql.admin(proxy, "KILL " + id)).isEmpty();
            Await.until("client " + id + " to leave SHOW CLIENTS", Duration.ofSeconds(10),
                    () -> Sql.admin(proxy, "SHOW CLIENTS").stream().noneMatch(r -> r.get("id").equals(id)));
            assertThatThrownBy(() -> value(victim, "select 1")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("57P01"));
            assertThat(value(bystander, "select 2")).isEqualTo("2");
            assertThatThrownBy(() -> Sql.admin(proxy, "KILL " + id)).hasMessageContaining("no client " + id);
        }
    }

    private static void run(Connection c, String sql) {
        try {
            execute(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(Connection c, String sql) {
        try {
            return value(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
