package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * The leak hunt: clients that set session state at random (default_transaction_isolation,
 * search_path, TimeZone, statement_timeout, a custom setting, SET ROLE) and meet errors in between
 * (bad SQL, a failing SET, statement_timeout hits, their server connection terminated from outside)
 * share small pools with clients that set nothing, through a proxy that routes reads to a hot
 * standby in transaction mode. The clean clients (long-lived and fresh ones, reads and primary
 * work) must only ever see the defaults, and never an error caused by another client's settings
 * (a serializable default on a hot standby refuses every read). Server deaths aside, any error or
 * differing value a clean client gets counts as a leak.
 */
@PostgresCluster(standby = true, replicas = 0)
class SessionLeakHuntIT {
    /** The hunt ends after this many checks by clean clients, or at the latest after {@link #HUNT}. */
    private static final int TARGET_CHECKS = 3000;
    private static final Duration HUNT = Duration.ofSeconds(20);
    /** Fewer checks than this (a very busy box) prove too little: the test fails rather than pass on nothing. */
    private static final int MIN_CHECKS = 150;
    private static final int DIRTY = 5;
    private static final int CLEAN = 3;
    private static final String CHECK = "SELECT current_setting('default_transaction_isolation') || '|' ||"
            + " current_setting('search_path') || '|' || current_setting('TimeZone') || '|' ||"
            + " current_setting('statement_timeout') || '|' || coalesce(current_setting('myapp.x', true), '') || '|' ||"
            + " current_user || '|' || current_setting('application_name')";

    static LocalCluster cluster;
    static ProxyFixture proxy;
    /** The clean clients made {@link #TARGET_CHECKS} checks: everyone stops. */
    static volatile boolean enough;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, "drop role if exists leak_role");
            execute(direct, "create role leak_role nologin");
            execute(direct, "create schema leak_a");
        }
        proxy = ProxyFixture.startSplit(cluster, "  pool:\n    pool_size: 2\n  consistency:\n    mode: eventual\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static Connection client(String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("ApplicationName", applicationName);
        return proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
    }

    private static boolean serverGone(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    @Test
    void noSettingOfOneClientEverReachesAnother() throws Exception {
        String defaults;
        try (Connection c = client("clean")) {
            defaults = Sql.value(c, CHECK);
        }
        assertThat(defaults).startsWith("read committed|\"$user\", public|");
        long deadline = System.nanoTime() + HUNT.toNanos();
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger dirtyRounds = new AtomicInteger();
        AtomicInteger disturbed = new AtomicInteger();
        Map<String, AtomicInteger> leaks = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> firstLeaks = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(DIRTY + CLEAN);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < DIRTY; i++) {
                String name = "dirty-" + i;
                done.add(threads.submit(() -> dirty(name, deadline, dirtyRounds)));
            }
            for (int i = 0; i < CLEAN; i++) {
                done.add(threads.submit(() -> {
                    clean(defaults, deadline, checks, disturbed, leaks, firstLeaks);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(HUNT.toSeconds() + 60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        System.out.printf("leak hunt: %d checks by clean clients (%d disturbed by server deaths), %d dirty rounds, %d leaks%n",
                checks.get(), disturbed.get(), dirtyRounds.get(), leaks.values().stream().mapToInt(AtomicInteger::get).sum());
        assertThat(leaks).as("leaks in %d checks (%d disturbed by server deaths) after %d dirty rounds; first: %s",
                checks.get(), disturbed.get(), dirtyRounds.get(), firstLeaks).isEmpty();
        assertThat(checks.get()).as("checks by clients that set nothing").isGreaterThanOrEqualTo(MIN_CHECKS);
        assertThat(dirtyRounds.get()).as("rounds of the clients that set things").isGreaterThanOrEqualTo(MIN_CHECKS);
    }

    private static boolean over(long deadline) {
        return System.nanoTime() - deadline >= 0 || enough;
    }

    /** Sets things at random, with errors in between, until the hunt is over. */
    private static Void dirty(String name, long deadline, AtomicInteger rounds) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Connection c = client(name);
        try {
            while (!over(deadline)) {
                rounds.incrementAndGet();
                List<String> round = switch (random.nextInt(12)) {
                    case 0 -> List.of("SET default_transaction_isolation = serializable", "SELECT 1");
                    case 1 -> List.of("SET search_path = leak_a, public", "SELECT current_schema()");
                    case 2 -> List.of("SET TimeZone = 'Asia/Tokyo'", "SELECT now()");
                    case 3 -> List.of("SET statement_timeout = '150ms'", "SELECT pg_sleep(0.3)");
                    case 4 -> List.of("SET myapp.x = '" + name + "'", "SELECT current_setting('myapp.x')");
                    case 5 -> List.of("SET ROLE leak_role", "SELECT current_user");
                    case 6 -> List.of("SELEC 1", "SELECT 1");
                    case 7 -> List.of(random.nextBoolean() ? "SET statement_timeout = 'soon'" : "SET ROLE no_such_role");
                    case 8 -> List.of("BEGIN", "SET search_path = leak_a", "SET myapp.x = 'rolled back'", "ROLLBACK");
                    case 9 -> List.of("BEGIN READ ONLY", "SET LOCAL TimeZone = 'UTC'", "SELECT 1/0", "ROLLBACK");
                    case 10 -> List.of("RESET ALL", "RESET ROLE");
                    default -> List.of();
                };
                for (String sql : round) {
                    try {
                        execute(c, sql);
                    } catch (SQLException e) {
                        if (c.isClosed() || serverGone(e) && !c.isValid(5)) {
                            c.close();
                            c = client(name);
                        }
                    }
                }
                if (round.isEmpty() && random.nextInt(3) == 0) {
                    terminateOwnServer(c);
                }
            }
        } finally {
            c.close();
        }
        return null;
    }

    /** Terminates, from outside the proxy, the server connection that runs this client's next statement. */
    private static void terminateOwnServer(Connection c) {
        try {
            String where = Sql.value(c, "SELECT pg_backend_pid() || ' ' || pg_is_in_recovery()");
            String[] parts = where.split(" ");
            if (parts.length != 2) {
                throw new AssertionError("pg_backend_pid() and pg_is_in_recovery() answered as '" + where + "'");
            }
            PostgresNode node = cluster.nodes().stream()
                    .filter(n -> n.equals(cluster.primary()) != parts[1].equals("true"))
                    .findFirst().orElseThrow();
            try (Connection direct = cluster.connect(node); Statement s = direct.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + parts[0] + ")");
            }
        } catch (SQLException e) {
            // The client's own statement failed (its server died already): nothing to terminate.
        }
    }

    /** Checks what clients that set nothing see, until the hunt is over; a fresh connection every few checks. */
    private static void clean(String defaults, long deadline, AtomicInteger checks, AtomicInteger disturbed,
                              Map<String, AtomicInteger> leaks, ConcurrentLinkedQueue<String> firstLeaks)
            throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Connection c = client("clean");
        try {
            while (!over(deadline)) {
                if (random.nextInt(20) == 0) {
                    c.close();
                    c = client("clean");
                }
                String sql = switch (random.nextInt(3)) {
                    case 0 -> CHECK;
                    case 1 -> "/* pgherd:primary */ " + CHECK;
                    default -> null;
                };
                String seen;
                try {
                    if (sql != null) {
                        seen = Sql.value(c, sql);
                    } else {
                        c.setAutoCommit(false);
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CHECK)) {
                            rs.next();
                            seen = rs.getString(1);
                        }
                        c.commit();
                        c.setAutoCommit(true);
                    }
                } catch (SQLException e) {
                    if (serverGone(e)) {
                        disturbed.incrementAndGet();
                        if (c.isClosed() || !c.isValid(5)) {
                            c.close();
                            c = client("clean");
                        } else if (!c.getAutoCommit()) {
                            c.rollback();
                            c.setAutoCommit(true);
                        }
                        continue;
                    }
                    seen = "ERROR " + e.getSQLState() + " " + e.getMessage();
                    if (!c.getAutoCommit()) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
                enough |= checks.incrementAndGet() >= TARGET_CHECKS;
                if (!defaults.equals(seen)) {
                    leaks.computeIfAbsent(seen, k -> new AtomicInteger()).incrementAndGet();
                    if (firstLeaks.size() < 5) {
                        firstLeaks.add(seen);
                    }
                }
            }
        } finally {
            c.close();
        }
    }

    @Test
    void aStandbyServerLeftSerializableByOneClientServesTheNextClientWithoutBeingLost() throws Exception {
        try (ProxyFixture single = ProxyFixture.startSplit(cluster, "  pool:\n    pool_size: 1\n  consistency:\n    mode: eventual\n");
             Connection a = client(single, "serializable-a"); Connection b = client(single, "clean-b")) {
            String standbyServer = Sql.value(b, "/* pgherd:replica */ SELECT pg_backend_pid() || ' ' || pg_is_in_recovery()");
            assertThat(standbyServer).endsWith(" true");

            execute(a, "SET default_transaction_isolation = serializable");
            // A hot standby refuses every read of a serializable session: the router sends A's reads to the primary...
            assertThat(Sql.value(a, "/* pgherd:replica */ SELECT pg_is_in_recovery()::text")).isEqualTo("false");
            // ...but a read-only transaction that names another isolation level runs on the standby, which
            // takes on A's settings (its default serializable included) for it.
            execute(a, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            assertThat(Sql.value(a, "SELECT pg_backend_pid() || ' ' || pg_is_in_recovery()")).isEqualTo(standbyServer);
            assertThat(Sql.value(a, "SELECT current_setting('default_transaction_isolation')")).isEqualTo("serializable");
            execute(a, "COMMIT");

            // B's restore on that server resets the setting in a transaction of its own isolation: it
            // succeeds there, so the server is kept, and B reads as read committed.
            assertThat(Sql.value(b, "/* pgherd:replica */ SELECT pg_backend_pid() || ' ' || pg_is_in_recovery()"))
                    .isEqualTo(standbyServer);
            assertThat(Sql.value(b, "/* pgherd:replica */ SELECT current_setting('default_transaction_isolation')"))
                    .isEqualTo("read committed");
        }
    }

    private static Connection client(ProxyFixture fixture, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("ApplicationName", applicationName);
        return fixture.connect("postgres", fixture.superuserPassword(), "postgres", props);
    }
}
