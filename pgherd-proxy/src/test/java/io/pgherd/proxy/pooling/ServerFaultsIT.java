package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TcpProxy;

/** Server connections killed on the primary (pg_terminate_backend) between and during transactions. */
@PostgresCluster(standby = false, replicas = 0)
class ServerFaultsIT {
    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, "create table faults (id int primary key)");
        }
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 1\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static void terminate(int pid, boolean awaitGone) throws SQLException {
        try (Connection direct = cluster.connect(cluster.primary())) {
            assertThat(value(direct, "select pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            if (awaitGone) {
                Await.until("backend " + pid + " to exit", Duration.ofSeconds(10),
                        () -> value(direct, "select count(*) from pg_stat_activity where pid = " + pid).equals("0"));
            }
        }
    }

    @Test
    void aServerKilledBetweenTransactionsIsReplacedWithoutTheClientNoticing() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            execute(c, "set statement_timeout = '11s'");
            for (int i = 0; i < 6; i++) {
                int pid = backendPid(c);
                // Half the time the next statement races the dying backend, half the time it comes after.
                terminate(pid, i % 2 == 1);
                assertThat(value(c, "select " + i)).isEqualTo(Integer.toString(i));
                assertThat(backendPid(c)).isNotEqualTo(pid);
                assertThat(value(c, "show statement_timeout")).as("session state follows to the new server").isEqualTo("11s");
            }
        }
    }

    @Test
    void aServerKilledDuringATransactionGivesOneClearErrorAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            c.setAutoCommit(false);
            execute(c, "insert into faults values (1)");
            int pid = backendPid(c);
            terminate(pid, true);
            assertThatThrownBy(() -> value(c, "select 1")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("08006"))
                    .hasMessageContaining("rolled back");
            c.rollback();
            assertThat(value(c, "select count(*) from faults where id = 1")).as("the transaction was rolled back").isEqualTo("0");
            execute(c, "insert into faults values (2)");
            c.commit();
            c.setAutoCommit(true);
            assertThat(value(c, "select count(*) from faults where id = 2")).isEqualTo("1");
            assertThat(backendPid(c)).isNotEqualTo(pid);
        }
    }

    /**
     * The duplicate write a proxy must not make: the server committed, then the connection vanished
     * (no FATAL: a network cut) before its answer arrived. Running it again would write twice; the
     * client is told instead, and its connection stays usable.
     */
    @Test
    void aWriteWhoseAnswerWasLostIsReportedAndNotRunTwice() throws Exception {
        try (TcpProxy wire = TcpProxy.to("127.0.0.1", cluster.primary().port());
             ProxyFixture cut = ProxyFixture.startVia(cluster, wire.address().getPort(), "");
             Connection c = cut.connect("postgres"); Connection direct = cluster.connect(cluster.primary())) {
            long replays = cut.proxy().stats().serverReplays.sum();
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    execute(c, "insert into faults select 100 from pg_sleep(1)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the insert to run on the server", Duration.ofSeconds(10), () -> value(direct,
                    "select count(*) from pg_stat_activity where query like 'insert into faults select 100%'").equals("1"));
            wire.freeze();
            Await.until("the insert to commit", Duration.ofSeconds(10),
                    () -> value(direct, "select count(*) from faults where id = 100").equals("1"));
            wire.thaw();
            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> {
                        PSQLException cause = (PSQLException) e.getCause().getCause();
                        assertThat(cause.getSQLState()).as(cause.getMessage()).isEqualTo("08006");
                        assertThat(cause.getMessage()).contains("whether that took effect is unknown");
                    });
            assertThat(cut.proxy().stats().serverReplays.sum()).as("run again").isEqualTo(replays);
            assertThat(value(direct, "select count(*) from faults where id = 100")).isEqualTo("1");
            assertThat(value(c, "select 'usable'")).isEqualTo("usable");
        }
    }
}
