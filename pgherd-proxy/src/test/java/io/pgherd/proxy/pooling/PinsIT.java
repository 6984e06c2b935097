package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.clientId;
import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.PostgresCluster;

/**
 * State that cannot move between server connections pins its client to one, SHOW PINS says why,
 * DISCARD ALL ends the pin, and a pinned client's server is never handed to anyone else.
 */
@PostgresCluster(standby = false, replicas = 0)
class PinsIT {
    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 3\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** The reason SHOW PINS gives for {@code client}, or null when it is not listed. */
    private static String pinReason(Connection client) throws SQLException {
        String id = clientId(client);
        for (Map<String, String> row : Sql.admin(proxy, "SHOW PINS")) {
            if (row.get("client").equals(id)) {
                return row.get("reason");
            }
        }
        return null;
    }

    /**
     * Asserts that {@code pinned} stays on one server connection across transactions while other
     * clients keep the rest of the pool busy, and returns that connection's backend pid.
     */
    private static int assertStaysOnOneServer(Connection pinned) throws Exception {
        int pid = backendPid(pinned);
        try (Connection other1 = proxy.connect("postgres"); Connection other2 = proxy.connect("postgres")) {
            for (int i = 0; i < 10; i++) {
                other1.setAutoCommit(false);
                backendPid(other1);
                assertThat(backendPid(pinned)).isEqualTo(pid);
                other1.commit();
                other1.setAutoCommit(true);
                backendPid(other2);
                assertThat(backendPid(pinned)).isEqualTo(pid);
            }
        }
        return pid;
    }

    @Test
    void temporaryTablePinsAndStaysVisibleAcrossTransactions() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            assertThat(pinReason(c)).isNull();
            execute(c, "create temp table pin_tt (x int)");
            assertThat(pinReason(c)).contains("temporary table");
            for (int i = 0; i < 5; i++) {
                execute(c, "insert into pin_tt values (" + i + ")");
            }
            assertStaysOnOneServer(c);
            assertThat(value(c, "select count(*) from pin_tt")).isEqualTo("5");
        }
    }

    @Test
    void sessionAdvisoryLockPinsTheClient() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            assertThat(value(c, "select pg_advisory_lock(4711)")).isEmpty();
            assertThat(pinReason(c)).contains("advisory lock");
            int pid = assertStaysOnOneServer(c);
            try (Connection direct = cluster.connect(cluster.primary())) {
                assertThat(value(direct, "select pid from pg_locks where locktype = 'advisory' and objid = 4711"))
                        .isEqualTo(Integer.toString(pid));
            }
            assertThat(value(c, "select pg_advisory_unlock(4711)")).isEqualTo("t");
        }
    }

    @Test
    void listenPinsTheClientAndItsNotificationsArrive() throws Exception {
        try (Connection c = proxy.connect("postgres"); Connection notifier = proxy.connect("postgres")) {
            execute(c, "listen pin_channel");
            assertThat(pinReason(c)).contains("LISTEN");
            assertStaysOnOneServer(c);
            execute(notifier, "notify pin_channel, 'hello'");
            PGNotification[] received = c.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(received).isNotNull().extracting(PGNotification::getParameter).containsExactly("hello");
        }
    }

    @Test
    void withHoldCursorPinsTheClientAndCanBeFetchedLater() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            c.setAutoCommit(false);
            execute(c, "declare pin_cur cursor with hold for select g from generate_series(1, 10) g");
            c.commit();
            c.setAutoCommit(true);
            assertThat(pinReason(c)).contains("WITH HOLD cursor");
            assertStaysOnOneServer(c);
            assertThat(value(c, "fetch 3 from pin_cur")).isEqualTo("1");
            assertThat(value(c, "fetch 1 from pin_cur")).isEqualTo("4");
        }
    }

    @Test
    void discardAllEndsThePin() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            execute(c, "create temp table pin_discard (x int)");
            execute(c, "listen pin_discard_channel");
            assertThat(pinReason(c)).contains("temporary table").contains("LISTEN");
            execute(c, "discard all");
            assertThat(pinReason(c)).isNull();
            assertThat(value(c, "select count(*) from pg_class where relname = 'pin_discard'")).isEqualTo("0");
        }
    }

    @Test
    void showPinsThroughPsqlNamesTheClientAndReason() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            execute(c, "select pg_advisory_lock(99)");
            ExternalCommand.Outcome out = proxy.psql("pgherd", "-Atc", "SHOW PINS").requireSuccess();
            assertThat(out.stdout()).contains(clientId(c) + "|postgres|postgres|").contains("session advisory lock");
        }
    }

    @Test
    void aPinnedClientsServerIsClosedWhenItLeavesSoNobodyInheritsItsTemporaryTable() throws Exception {
        int pinnedPid;
        try (Connection c = proxy.connect("postgres")) {
            execute(c, "create temp table inherited (x int)");
            pinnedPid = backendPid(c);
        }
        try (Connection direct = cluster.connect(cluster.primary())) {
            Await.until("the pinned client's server connection " + pinnedPid + " to end", Duration.ofSeconds(10),
                    () -> value(direct, "select count(*) from pg_stat_activity where pid = " + pinnedPid).equals("0"));
        }
        List<Map<String, String>> servers = Sql.admin(proxy, "SHOW SERVERS");
        assertThat(servers).noneMatch(row -> row.get("backend_pid").equals(Integer.toString(pinnedPid)));
        // Every server connection of the pool, in turn, lets a new client create the same temporary table.
        try (Connection a = proxy.connect("postgres"); Connection b = proxy.connect("postgres");
             Connection d = proxy.connect("postgres")) {
            for (Connection x : List.of(a, b, d)) {
                x.setAutoCommit(false);
                execute(x, "create temp table inherited (x int) on commit drop");
                assertThat(backendPid(x)).isNotEqualTo(pinnedPid);
            }
            for (Connection x : List.of(a, b, d)) {
                x.commit();
            }
        }
    }
}
