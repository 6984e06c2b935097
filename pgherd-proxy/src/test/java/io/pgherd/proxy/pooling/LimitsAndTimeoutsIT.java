package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.clientId;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/** Client and pool limits and timeouts, each with its own proxy configuration. */
@PostgresCluster(standby = false, replicas = 0)
class LimitsAndTimeoutsIT {
    static LocalCluster cluster;

    @BeforeAll
    static void keep(LocalCluster c) {
        cluster = c;
    }

    private static String sqlState(Throwable e) {
        return ((PSQLException) e).getSQLState();
    }

    /**
     * Backend pids of the proxy's server connections, as the primary sees them: every client backend
     * but this query's own (a server connection takes its client's application_name).
     */
    private static Set<Integer> proxyBackends() throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection direct = cluster.connect(cluster.primary());
             var rs = direct.createStatement().executeQuery("select pid from pg_stat_activity where backend_type = 'client backend'"
                     + " and pid <> pg_backend_pid()")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    @Test
    void theClientBeyondMaxClientConnIsRefusedAndTheOthersGoOn() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    max_client_conn: 3\n    pool_size: 2\n")) {
            List<Connection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(proxy.connect("postgres"));
                }
                assertThatThrownBy(() -> proxy.connect("postgres").close()).isInstanceOf(PSQLException.class)
                        .hasMessageContaining("max_client_conn")
                        .satisfies(e -> assertThat(sqlState(e)).isEqualTo("53300"));
                for (Connection c : clients) {
                    assertThat(value(c, "select 'still here'")).isEqualTo("still here");
                }
            } finally {
                for (Connection c : clients) {
                    c.close();
                }
            }
            Await.until("a place to free up", Duration.ofSeconds(5), () -> proxy.proxy().clientCount() == 0);
            try (Connection again = proxy.connect("postgres")) {
                assertThat(value(again, "select 1")).isEqualTo("1");
            }
        }
    }

    @Test
    void aClientWaitingLongerThanQueryWaitTimeoutGetsThePoolStateAndStaysUsable() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 1\n    query_wait_timeout: 1s\n");
             Connection holder = proxy.connect("postgres"); Connection waiter = proxy.connect("postgres")) {
            holder.setAutoCommit(false);
            backendPid(holder);
            long start = System.nanoTime();
            assertThatThrownBy(() -> value(waiter, "select 1")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(sqlState(e)).isEqualTo("53300"))
                    .hasMessageContaining("query_wait_timeout (1000 ms)")
                    .hasMessageContaining("size 1")
                    .hasMessageContaining("active 1")
                    .hasMessageContaining("waiting");
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMillis).as("time until the error").isBetween(900L, 5_000L);
            holder.commit();
            assertThat(value(waiter, "select 'usable'")).isEqualTo("usable");
        }
    }

    @Test
    void anIdleClientIsClosedAfterClientIdleTimeoutButOneInATransactionIsNot() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n    client_idle_timeout: 1s\n");
             Connection idle = proxy.connect("postgres"); Connection inTransaction = proxy.connect("postgres")) {
            assertThat(value(idle, "select 1")).isEqualTo("1");
            inTransaction.setAutoCommit(false);
            assertThat(value(inTransaction, "select 1")).isEqualTo("1");
            String id = clientId(idle);
            Await.until("the idle client to be closed", Duration.ofSeconds(10),
                    () -> proxy.proxy().client(Integer.parseInt(id)) == null);
            assertThatThrownBy(() -> value(idle, "select 1")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(sqlState(e)).as(e.getMessage()).isEqualTo("57P05"));
            assertThat(value(inTransaction, "select 'alive'")).isEqualTo("alive");
            inTransaction.commit();
        }
    }

    @Test
    void idleServerConnectionsCloseAfterServerIdleTimeoutUnnoticedByClients() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n    server_idle_timeout: 1s\n");
             Connection c = proxy.connect("postgres")) {
            int first = backendPid(c);
            assertThat(proxyBackends()).contains(first);
            Await.until("every server connection to close", Duration.ofSeconds(10), () -> proxyBackends().isEmpty());
            assertThat(Sql.admin(proxy, "SHOW SERVERS")).isEmpty();
            int second = backendPid(c);
            assertThat(second).isNotEqualTo(first);
            assertThat(value(c, "select 'unnoticed'")).isEqualTo("unnoticed");
        }
    }

    @Test
    void serverConnectionsAreReplacedAfterServerLifetimeUnnoticedByBusyClients() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 1\n    server_lifetime: 1s\n");
             Connection c = proxy.connect("postgres")) {
            int first = backendPid(c);
            Set<Integer> seen = new HashSet<>();
            seen.add(first);
            long queries = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (seen.size() < 3 && System.nanoTime() - deadline < 0) {
                seen.add(backendPid(c));
                queries++;
            }
            assertThat(seen).as("server connections used by one busy client in " + queries + " queries").hasSizeGreaterThanOrEqualTo(3);
            Await.until("the first server connection to be gone", Duration.ofSeconds(10), () -> !proxyBackends().contains(first));
            assertThat(proxyBackends()).hasSizeLessThanOrEqualTo(1);
        }
    }
}
