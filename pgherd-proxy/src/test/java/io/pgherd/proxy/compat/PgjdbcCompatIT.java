package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/** pgjdbc through the proxy in transaction pooling, with a pool smaller than the number of clients. */
@PostgresCluster(standby = false, replicas = 0)
class PgjdbcCompatIT {
    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster localCluster) {
        cluster = localCluster;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 3\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A connection whose reads give up after a minute, so a lost answer fails the test instead of hanging it. */
    static Connection connect(String... settings) throws SQLException {
        Properties props = new Properties();
        props.setProperty("socketTimeout", "60");
        for (int i = 0; i < settings.length; i += 2) {
            props.setProperty(settings[i], settings[i + 1]);
        }
        return proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
    }

    @Test
    void defaultSettingsCommitAndRollBackTransactions() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop table if exists jdbc_accounts");
            s.execute("create table jdbc_accounts(id int primary key, balance int not null)");
            s.execute("insert into jdbc_accounts values (1, 100), (2, 100)");

            c.setAutoCommit(false);
            s.executeUpdate("update jdbc_accounts set balance = balance - 30 where id = 1");
            s.executeUpdate("update jdbc_accounts set balance = balance + 30 where id = 2");
            c.commit();
            s.executeUpdate("update jdbc_accounts set balance = 0");
            c.rollback();
            c.setAutoCommit(true);

            try (ResultSet rs = s.executeQuery("select string_agg(id || ':' || balance, ',' order by id) from jdbc_accounts")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1:70,2:130");
            }
            try (PreparedStatement p = c.prepareStatement("select balance from jdbc_accounts where id = ?")) {
                for (int i = 0; i < 10; i++) {
                    p.setInt(1, 2);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(130);
                    }
                }
            }
        }
    }

    @Test
    void serverPreparedStatementsFollowTheClientAcrossServerConnections() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger churned = new AtomicInteger();
        ExecutorService churners = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int offset = 1000 * (t + 1);
                running.add(churners.submit(() -> {
                    // Same statement names as the main connection (S_1, S_2, ...) with other text.
                    try (Connection c = connect("prepareThreshold", "1");
                         PreparedStatement p = c.prepareStatement("select ?::int + " + offset);
                         Statement s = c.createStatement()) {
                        for (int i = 0; !done.get(); i++) {
                            p.setInt(1, i);
                            try (ResultSet rs = p.executeQuery()) {
                                rs.next();
                                assertThat(rs.getInt(1)).isEqualTo(i + offset);
                            }
                            c.setAutoCommit(false);
                            s.execute("select txid_current()");
                            c.commit();
                            c.setAutoCommit(true);
                            churned.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Set<Integer> backends = new HashSet<>();
            try (Connection c = connect("prepareThreshold", "1");
                 PreparedStatement p = c.prepareStatement("select ?::int * 2, pg_backend_pid()");
                 PreparedStatement q = c.prepareStatement("select ?::text || '!'")) {
                // Each round is a transaction of its own: in autocommit pgjdbc would quietly re-prepare
                // after "prepared statement S_1 does not exist" and hide a server that lacks it.
                c.setAutoCommit(false);
                for (int i = 0; i < 300; i++) {
                    p.setInt(1, i);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(2 * i);
                        backends.add(rs.getInt(2));
                    }
                    q.setString(1, "n" + i);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo("n" + i + "!");
                    }
                    c.commit();
                }
                assertThat(p.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare()).isTrue();
            }
            assertThat(backends).as("server connections the prepared statement ran on").hasSizeGreaterThan(1);
        } finally {
            done.set(true);
            churners.shutdown();
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(churned.get()).isPositive();
    }

    @Test
    void batchesInsertEveryRowWithAndWithoutRewriting() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop table if exists jdbc_batch");
            s.execute("create table jdbc_batch(id int primary key, label text, rewritten boolean)");
        }
        for (boolean rewrite : new boolean[] {false, true}) {
            try (Connection c = connect("reWriteBatchedInserts", Boolean.toString(rewrite));
                 PreparedStatement p = c.prepareStatement("insert into jdbc_batch values (?, ?, ?)")) {
                int base = rewrite ? 10_000 : 0;
                for (int i = 1; i <= 2500; i++) {
                    p.setInt(1, base + i);
                    p.setString(2, "row " + i);
                    p.setBoolean(3, rewrite);
                    p.addBatch();
                }
                int[] counts = p.executeBatch();
                assertThat(counts).hasSize(2500);
                assertThat(counts).containsOnly(rewrite ? Statement.SUCCESS_NO_INFO : 1);
            }
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.addBatch("insert into jdbc_batch values (-1, 'plain batch', null)");
            s.addBatch("update jdbc_batch set label = 'updated' where id between 1 and 10");
            s.addBatch("delete from jdbc_batch where id = 5");
            assertThat(s.executeBatch()).containsExactly(1, 10, 1);
            try (ResultSet rs = s.executeQuery("select count(*) filter (where not rewritten),"
                    + " count(*) filter (where rewritten), count(*) filter (where label = 'updated') from jdbc_batch")) {
                rs.next();
                assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(2499, 2500, 9);
            }
        }
    }

    /**
     * Cursor-style reading: 100 round trips of Execute with a row limit, each ending in PortalSuspended.
     * (2 million rows would take minutes here: paranoid leak detection tracks every forwarded frame.)
     */
    @Test
    void fetchSizeStreamsALargeResultThroughASuspendedPortal() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                long transaction = txid(s);
                s.setFetchSize(1000);
                long rows = 0;
                long sum = 0;
                long width = 0;
                try (ResultSet rs = s.executeQuery("select g, repeat('x', 200) from generate_series(1, 100000) g")) {
                    while (rs.next()) {
                        rows++;
                        sum += rs.getLong(1);
                        width += rs.getString(2).length();
                    }
                }
                assertThat(rows).isEqualTo(100_000L);
                assertThat(sum).isEqualTo(100_000L * 100_001L / 2);
                assertThat(width).isEqualTo(100_000L * 200);
                assertThat(txid(s)).as("the transaction after reading").isEqualTo(transaction);
            }
            c.commit();
        }
    }

    @Test
    void cancelStopsARunningQueryAndTheConnectionStaysUsable() throws Exception {
        String sql = "select pg_sleep(30) as jdbc_cancel";
        try (Connection c = connect(); Statement s = c.createStatement()) {
            ExecutorService canceller = Executors.newSingleThreadExecutor();
            try {
                Future<?> cancelled = canceller.submit(() -> {
                    Clients.awaitRunning(cluster, sql);
                    s.cancel();
                    return null;
                });
                long started = System.nanoTime();
                assertThatThrownBy(() -> s.execute(sql)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(25));
                cancelled.get(10, TimeUnit.SECONDS);
            } finally {
                canceller.shutdownNow();
            }
            assertUsable(c);
        }
    }

    @Test
    void queryTimeoutCancelsASlowQueryAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long started = System.nanoTime();
            assertThatThrownBy(() -> s.execute("select pg_sleep(30)")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            s.setQueryTimeout(0);
            assertUsable(c);
        }
    }

    @Test
    void databaseMetaDataListsTablesAndColumns() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop table if exists jdbc_meta");
            s.execute("create table jdbc_meta(id bigint primary key, label varchar(40) not null, seen timestamptz)");
            DatabaseMetaData meta = c.getMetaData();
            assertThat(meta.getDatabaseProductName()).isEqualTo("PostgreSQL");

            List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(null, "public", "jdbc_meta", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            assertThat(tables).containsExactly("public.jdbc_meta:TABLE");

            List<String> columns = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, "public", "jdbc_meta", "%")) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE") + ":" + rs.getString("IS_NULLABLE"));
                }
            }
            assertThat(columns).containsExactly("id:" + Types.BIGINT + ":NO", "label:" + Types.VARCHAR + ":NO",
                    "seen:" + Types.TIMESTAMP + ":YES");

            try (ResultSet rs = meta.getPrimaryKeys(null, "public", "jdbc_meta")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("COLUMN_NAME")).isEqualTo("id");
            }
        }
    }

    @Test
    void notificationsReachAListenerFromAnotherConnection() throws Exception {
        try (Connection listener = connect(); Connection notifier = connect();
             Statement l = listener.createStatement(); Statement n = notifier.createStatement()) {
            l.execute("listen jdbc_events");
            PGConnection pg = listener.unwrap(PGConnection.class);
            assertThat(pg.getNotifications()).isEmpty();

            n.execute("notify jdbc_events, 'first'");
            notifier.setAutoCommit(false);
            n.execute("select pg_notify('jdbc_events', 'second')");
            n.execute("notify other_channel, 'not for the listener'");
            notifier.commit();

            List<String> received = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (received.size() < 2 && System.nanoTime() < deadline) {
                for (PGNotification notification : pg.getNotifications(1000)) {
                    received.add(notification.getName() + ":" + notification.getParameter());
                }
            }
            assertThat(received).containsExactly("jdbc_events:first", "jdbc_events:second");
            assertUsable(listener);
        }
    }

    private static long txid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select txid_current()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertUsable(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 'usable'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("usable");
        }
    }
}
