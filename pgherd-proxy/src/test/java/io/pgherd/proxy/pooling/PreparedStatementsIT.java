package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.netty.buffer.Unpooled;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.protocol.Bind;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.Execute;
import io.pgherd.protocol.FormatCode;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.Sync;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * Prepared statements in transaction pooling: pgjdbc's protocol-level statements and SQL PREPARE
 * keep working whichever server connection a transaction lands on.
 */
@PostgresCluster(standby = false, replicas = 0)
class PreparedStatementsIT {
    private static final int CLIENTS = 50;
    /** Every client runs at least this many rounds (the discards happen midway), then until the deadline. */
    private static final int MIN_ROUNDS = 16;
    private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(12);
    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, "create table ps_events (id bigserial primary key, client int not null, n int not null)");
        }
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 5\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static Connection preparingClient(ProxyFixture via) throws SQLException {
        Properties props = new Properties();
        props.setProperty("prepareThreshold", "1");
        return via.connect("postgres", via.superuserPassword(), "postgres", props);
    }

    @Test
    void protocolPreparedStatementsSurviveServerChangesAndDiscardsUnderLoad() throws Exception {
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong executions = new AtomicLong();
        AtomicLong inserted = new AtomicLong();
        long deadline = System.nanoTime() + LOAD_NANOS;
        Map<Integer, Set<Integer>> serversSeen = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                done.add(pool.submit(() -> {
                    try {
                        runClient(client, deadline, executions, inserted, serversSeen.computeIfAbsent(client, k -> ConcurrentHashMap.newKeySet()));
                    } catch (SQLException | RuntimeException e) {
                        errors.add("client " + client + ": " + e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(errors).as("errors of the clients").isEmpty();
        assertThat(executions.get()).as("statements executed").isGreaterThanOrEqualTo(CLIENTS * (MIN_ROUNDS * 3L + 1));
        assertThat(serversSeen.values().stream().filter(s -> s.size() > 1).count())
                .as("clients whose statements ran on more than one server connection").isGreaterThan(CLIENTS / 2);
        try (Connection direct = cluster.connect(cluster.primary())) {
            assertThat(value(direct, "select count(*) from ps_events")).isEqualTo(Long.toString(inserted.get()));
        }
        assertThat(Sql.admin(proxy, "SHOW SERVERS")).as("server connections holding renamed statements")
                .anySatisfy(row -> assertThat(Integer.parseInt(row.get("prepared"))).isPositive());
    }

    private static void runClient(int client, long deadline, AtomicLong executions, AtomicLong inserted, Set<Integer> servers)
            throws SQLException {
        try (Connection c = preparingClient(proxy);
             PreparedStatement plusOne = c.prepareStatement("select ?::int + 1, pg_backend_pid()");
             PreparedStatement kinds = c.prepareStatement("select count(*) from pg_class where relkind = ?")) {
            int round = 0;
            for (; round < MIN_ROUNDS || System.nanoTime() - deadline < 0; round++) {
                plusOne.setInt(1, round);
                try (ResultSet rs = plusOne.executeQuery()) {
                    rs.next();
                    check(client, round, "plusOne", rs.getInt(1), round + 1);
                    servers.add(rs.getInt(2));
                }
                kinds.setString(1, "r");
                try (ResultSet rs = kinds.executeQuery()) {
                    rs.next();
                    check(client, round, "kinds", rs.getInt(1) > 0 ? 1 : 0, 1);
                }
                // A new JDBC statement for the same text: pgjdbc reuses its server-side name.
                try (PreparedStatement fresh = c.prepareStatement("select ?::text || '-' || ?::int")) {
                    fresh.setString(1, "c" + client);
                    fresh.setInt(2, round);
                    try (ResultSet rs = fresh.executeQuery()) {
                        rs.next();
                        check(client, round, "fresh", rs.getString(1), "c" + client + "-" + round);
                    }
                }
                if (round % 3 == 0) {
                    c.setAutoCommit(false);
                    try (PreparedStatement insert = c.prepareStatement("insert into ps_events (client, n) values (?, ?)");
                         PreparedStatement count = c.prepareStatement("select count(*) from ps_events where client = ?")) {
                        insert.setInt(1, client);
                        insert.setInt(2, round);
                        insert.executeUpdate();
                        count.setInt(1, client);
                        try (ResultSet rs = count.executeQuery()) {
                            rs.next();
                            check(client, round, "count", rs.getInt(1), round / 3 + 1);
                        }
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    executions.addAndGet(2);
                    inserted.incrementAndGet();
                }
                if (round == MIN_ROUNDS / 2 && client % 10 == 3) {
                    execute(c, "deallocate all");
                }
                if (round == MIN_ROUNDS / 2 && client % 10 == 7) {
                    execute(c, "discard all");
                }
                executions.addAndGet(3);
            }
            // After the discards: the same statements once more, everywhere.
            plusOne.setInt(1, 41);
            try (ResultSet rs = plusOne.executeQuery()) {
                rs.next();
                check(client, round, "plusOne", rs.getInt(1), 42);
            }
            executions.incrementAndGet();
        }
    }

    private static void check(int client, int round, String what, Object actual, Object expected) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + " in round " + round + " of client " + client + " gave " + actual
                    + ", expected " + expected);
        }
    }

    @Test
    void sqlPreparedStatementFollowsItsClientToAnotherServerUntilDeallocated(LocalCluster cluster) throws Exception {
        try (ProxyFixture small = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
             Connection s = small.connect("postgres"); Connection h1 = small.connect("postgres");
             Connection h2 = small.connect("postgres"); Connection loadClient = small.connect("postgres")) {
            s.setAutoCommit(false);
            execute(s, "prepare dbl(int) as select $1 * 2");
            assertThat(value(s, "execute dbl(21)")).isEqualTo("42");
            int first = backendPid(s);
            s.commit();
            s.setAutoCommit(true);

            int other = onAnotherServer(first, h1, h2, () -> {
                assertThat(value(s, "execute dbl(4)")).isEqualTo("8");
                return backendPid(s);
            });
            assertThat(other).as("the EXECUTE ran on the other server connection").isNotEqualTo(first);

            // Under concurrent load on both server connections.
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> loadErrors = new ConcurrentLinkedQueue<>();
            Thread load = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        value(loadClient, "select pg_sleep(0.002)");
                    }
                } catch (SQLException e) {
                    loadErrors.add(e);
                }
            });
            load.start();
            Set<Integer> pids = ConcurrentHashMap.newKeySet();
            try {
                for (int i = 0; i < 60; i++) {
                    s.setAutoCommit(false);
                    assertThat(value(s, "execute dbl(" + i + ")")).isEqualTo(Integer.toString(2 * i));
                    pids.add(backendPid(s));
                    s.commit();
                    s.setAutoCommit(true);
                    assertThat(value(s, "execute dbl(1)")).isEqualTo("2");
                }
            } finally {
                stop.set(true);
                load.join(10_000);
            }
            assertThat(loadErrors).isEmpty();

            execute(s, "deallocate dbl");
            assertSqlState(() -> value(s, "execute dbl(1)"), "26000");
            onAnotherServer(backendPid(s), h1, h2, () -> {
                assertSqlState(() -> value(s, "execute dbl(1)"), "26000");
                return 0;
            });
            // The name is free again, as on PostgreSQL.
            execute(s, "prepare dbl(int) as select $1 * 3");
            assertThat(value(s, "execute dbl(2)")).isEqualTo("6");
        }
    }

    /** Sends {@code messages}, then reads up to ReadyForQuery: DataRow values as text, errors as "E" + SQLSTATE. */
    private static List<String> exchange(RawClient client, PgMessage... messages) throws IOException {
        for (PgMessage m : messages) {
            client.send(m);
        }
        List<String> got = new ArrayList<>();
        for (RawClient.Message m = client.receive(); m.type() != 'Z'; m = client.receive()) {
            if (m.type() == 'E') {
                got.add("E" + m.sqlState());
            } else if (m.type() == 'D') {
                DataRow row = DataRow.decode(Unpooled.wrappedBuffer(m.body()));
                for (byte[] v : row.values()) {
                    got.add(new String(v, StandardCharsets.UTF_8));
                }
            }
        }
        return got;
    }

    @Test
    void unnamedStatementFollowsItsClientAndNoClientBindsAnothersUnnamedStatement(LocalCluster cluster) throws Exception {
        try (ProxyFixture small = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
             Connection h1 = small.connect("postgres"); Connection h2 = small.connect("postgres");
             RawClient raw = RawClient.login(small.port(), "postgres", small.superuserPassword(), "postgres");
             RawClient other = RawClient.login(small.port(), "postgres", small.superuserPassword(), "postgres")) {
            Bind bind = new Bind("", "", List.of(FormatCode.TEXT), List.of("21".getBytes(StandardCharsets.UTF_8)), List.of());
            List<String> first = exchange(raw, new Parse("", "select $1::int * 2, pg_backend_pid()", List.of(23)), bind,
                    new Execute("", 0), Sync.INSTANCE);
            assertThat(first).hasSize(2).startsWith("42");
            int parsedOn = Integer.parseInt(first.get(1));

            // In a later transaction on the other server connection, as on one server: the statement is still there.
            List<String> later = onAnotherServer(parsedOn, h1, h2, () -> exchange(raw, bind, new Execute("", 0), Sync.INSTANCE));
            assertThat(later).hasSize(2).startsWith("42");
            assertThat(Integer.parseInt(later.get(1))).as("ran on the other server connection").isNotEqualTo(parsedOn);

            // A client that never parsed one has no unnamed statement, whatever its server holds.
            assertThat(exchange(other, bind, new Execute("", 0), Sync.INSTANCE)).containsExactly("E26000");
            // A simple Query destroys the unnamed statement, as on PostgreSQL.
            assertThat(exchange(raw, new Query("select 1"))).containsExactly("1");
            assertThat(exchange(raw, bind, new Execute("", 0), Sync.INSTANCE)).containsExactly("E26000");
        }
    }

    @Test
    void sqlExecuteAndDeallocateReachAStatementPreparedThroughTheProtocol(LocalCluster cluster) throws Exception {
        try (ProxyFixture small = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
             Connection h1 = small.connect("postgres"); Connection h2 = small.connect("postgres");
             RawClient raw = RawClient.login(small.port(), "postgres", small.superuserPassword(), "postgres")) {
            assertThat(exchange(raw, new Parse("Dbl", "select $1::int * 2, pg_backend_pid()", List.of()), Sync.INSTANCE))
                    .isEmpty();
            List<String> first = exchange(raw, new Query("EXECUTE \"Dbl\"(21)"));
            assertThat(first).hasSize(2).startsWith("42");
            int preparedOn = Integer.parseInt(first.get(1));

            List<String> there = onAnotherServer(preparedOn, h1, h2, () -> exchange(raw, new Query("  execute \"Dbl\" (4)")));
            assertThat(there).hasSize(2).startsWith("8");
            assertThat(Integer.parseInt(there.get(1))).as("ran on the other server connection").isNotEqualTo(preparedOn);

            assertThat(exchange(raw, new Query("DEALLOCATE PREPARE \"Dbl\""))).isEmpty();
            Bind bind = new Bind("", "Dbl", List.of(), List.of(), List.of());
            assertThat(exchange(raw, bind, new Execute("", 0), Sync.INSTANCE)).containsExactly("E26000");
            assertThat(exchange(raw, new Query("EXECUTE \"Dbl\"(1)"))).containsExactly("E26000");
        }
    }

    interface SqlAction<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code action} while both server connections of a pool of 2 but the one other than
     * {@code avoid} are held by {@code h1}, {@code h2}: the action's statement must go to that other one.
     */
    private static <T> T onAnotherServer(int avoid, Connection h1, Connection h2, SqlAction<T> action) throws Exception {
        h1.setAutoCommit(false);
        h2.setAutoCommit(false);
        try {
            int p1 = backendPid(h1);
            int p2 = backendPid(h2);
            assertThat(Set.of(p1, p2)).as("the holders hold both server connections").contains(avoid).hasSize(2);
            (p1 == avoid ? h2 : h1).commit();
            return action.run();
        } finally {
            h1.rollback();
            h2.rollback();
            h1.setAutoCommit(true);
            h2.setAutoCommit(true);
        }
    }

    private static void assertSqlState(SqlAction<?> action, String sqlState) {
        assertThatThrownBy(action::run).isInstanceOf(PSQLException.class)
                .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo(sqlState));
    }
}
