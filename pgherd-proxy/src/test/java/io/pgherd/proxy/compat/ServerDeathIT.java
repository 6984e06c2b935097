package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * A client's server backend dies (terminated by the client itself or by an operator) and psycopg2
 * must learn what it would learn connected directly: a client that ended its own backend, or that
 * relied on its server's session (session pooling, a pin such as a temporary table), gets the
 * server's FATAL error and a closed connection ({@code conn.closed} non-zero), and the statement that
 * ended its backend is not run again; only a transaction-pooled, unpinned client is moved silently.
 * In transaction pooling, session pooling, and with read/write splitting over a standby.
 */
@PostgresCluster(standby = true, replicas = 0)
class ServerDeathIT {
    private static final String PRELUDE = """
            import os, time
            import psycopg2
            DSN = os.environ["PGHERD_DSN"]
            def out(key, value):
                print(f"{key}={value}", flush=True)

            def connect():
                conn = psycopg2.connect(DSN)
                conn.autocommit = True
                return conn

            def attempt(key, conn, sql):
                try:
                    cur = conn.cursor()
                    cur.execute(sql)
                    out(key + ".result", cur.fetchone()[0])
                except psycopg2.Error as e:
                    # As connected directly: libpq reports the server's FATAL as "server closed the connection unexpectedly".
                    out(key + ".error", type(e).__name__)
                out(key + ".closed", conn.closed)

            def terminate(pid):
                # An operator, connected to the primary directly (through a transaction pooler, the
                # killer could be handed that very server connection).
                killer = psycopg2.connect(DIRECT)
                killer.autocommit = True
                cur = killer.cursor()
                cur.execute("select pg_terminate_backend(%s)", (pid,))
                deadline = time.time() + 20
                while True:
                    cur.execute("select count(*) from pg_stat_activity where pid = %s", (pid,))
                    if cur.fetchone()[0] == 0:
                        break
                    if time.time() > deadline:
                        raise SystemExit(f"backend {pid} did not exit")
                    time.sleep(0.05)
                killer.close()

            def backend_pid(conn):
                cur = conn.cursor()
                cur.execute("/* pgherd:primary */ select pg_backend_pid()")
                return cur.fetchone()[0]
            """;
    /** A client that ends its own backend, and a pinned one whose backend an operator ends: both must go. */
    private static final String CLOSING = """

            # The client ends its own backend.
            conn = connect()
            conn.cursor().execute("set application_name = 'ends_itself'")
            attempt("self", conn, "select pg_terminate_backend(pg_backend_pid())")

            # A pinned client (a temporary table) whose backend an operator ends while it is idle.
            conn = connect()
            conn.cursor().execute("create temp table mine (id int)")
            terminate(backend_pid(conn))
            attempt("pinned", conn, "select count(*) from mine")
            """;
    /** What only a transaction-pooled client sees: an unpinned session moved silently. */
    private static final String UNPINNED = """

            # An unpinned client whose server connection an operator ends between transactions.
            conn = connect()
            conn.cursor().execute("set application_name = 'moved'")
            pid = backend_pid(conn)
            terminate(pid)
            attempt("unpinned", conn, "select current_setting('application_name')")
            out("unpinned.moved", backend_pid(conn) != pid)
            """;
    /** What a session-pooled client sees: its server is its session, idle or not. */
    private static final String SESSION = """

            # A session-pooled client whose backend an operator ends while it is idle.
            conn = connect()
            conn.cursor().execute("set application_name = 'session'")
            terminate(backend_pid(conn))
            attempt("session", conn, "select 1")
            """;

    static LocalCluster cluster;

    /** The primary's libpq connection string, as an operator would connect (a python assignment to put before the script). */
    private static String direct() {
        return "DIRECT = \"host=127.0.0.1 port=" + cluster.primary().port() + " user=postgres dbname=postgres sslmode=disable"
                + " password=" + cluster.credentials().superuserPassword() + "\"\n";
    }

    @BeforeAll
    static void start(LocalCluster c) {
        Clients.requirePsycopg2();
        cluster = c;
    }

    @Test
    void transactionPooling() {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 3\n")) {
            assertClosedAsDirectly(proxy);
            Map<String, String> got = Clients.python(proxy, "transaction_pooling_unpinned", direct() + PRELUDE + UNPINNED);
            assertThat(got).containsEntry("unpinned.result", "moved").containsEntry("unpinned.closed", "0")
                    .containsEntry("unpinned.moved", "True");
        }
    }

    @Test
    void sessionPooling() {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    mode: session\n    pool_size: 3\n")) {
            assertClosedAsDirectly(proxy);
            Map<String, String> got = Clients.python(proxy, "session_pooling_idle", direct() + PRELUDE + SESSION);
            assertThat(got).containsEntry("session.error", "OperationalError");
            assertThat(got.get("session.closed")).isNotEqualTo("0");
        }
    }

    @Test
    void readWriteSplitting() {
        try (ProxyFixture proxy = ProxyFixture.startSplit(cluster, "  pool:\n    pool_size: 3\n")) {
            assertClosedAsDirectly(proxy);
            Map<String, String> got = Clients.python(proxy, "splitting_unpinned", direct() + PRELUDE + UNPINNED);
            assertThat(got).containsEntry("unpinned.result", "moved").containsEntry("unpinned.closed", "0");
        }
    }

    /** The self-terminating and the pinned client: the server's FATAL error, a closed connection, nothing run again. */
    private static void assertClosedAsDirectly(ProxyFixture proxy) {
        Map<String, String> got = Clients.python(proxy, "closing", direct() + PRELUDE + CLOSING);
        assertThat(got).containsEntry("self.error", "OperationalError");
        assertThat(got.get("self.closed")).as("psycopg2 sees its connection closed").isNotEqualTo("0");
        assertThat(got).containsEntry("pinned.error", "OperationalError");
        assertThat(got.get("pinned.closed")).as("psycopg2 sees its connection closed").isNotEqualTo("0");
        assertThat(proxy.proxy().stats().serverReplays.sum()).as("work run again after its server died").isZero();
    }
}
