package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * psycopg 3 (Debian's python3-psycopg, libpq pipeline mode) with errors in the middle of its
 * pipelines, through the proxy in transaction mode, session mode and with routing on: executemany
 * of a bad statement, and explicit pipelines with failing statements between good ones. Each is
 * repeated enough to hit the race where the error reaches the proxy before the rest of the batch;
 * a hang ends the script through an alarm. The expected counts are PostgreSQL's own answers.
 */
@PostgresCluster(standby = true, replicas = 0)
class PsycopgPipelineErrorsIT {
    private static final int ROUNDS = 40;
    private static final String PRELUDE = """
            import os, signal, sys
            import psycopg, psycopg.errors
            DSN = os.environ["PGHERD_DSN"]
            ROUNDS = %d
            signal.signal(signal.SIGALRM, lambda *a: (print("hung=true", flush=True), os._exit(3)))
            def out(key, value):
                print(f"{key}={value}", flush=True)
            def deadline(seconds):
                signal.alarm(seconds)
            """.formatted(ROUNDS);

    static LocalCluster cluster;
    static ProxyFixture transaction;
    static ProxyFixture session;
    static ProxyFixture split;

    @BeforeAll
    static void start(LocalCluster localCluster) throws SQLException {
        Clients.requirePython("psycopg", "python3-psycopg");
        cluster = localCluster;
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("create table pipe_t (id int primary key)");
        }
        String pool = "  pool:\n    pool_size: 2\n    max_prepared_statements: 2\n";
        transaction = ProxyFixture.start(cluster, pool);
        session = ProxyFixture.start(cluster, pool.replace("  pool:\n", "  pool:\n    mode: session\n"));
        split = ProxyFixture.startSplit(cluster, pool + "  consistency:\n    mode: eventual\n");
    }

    @AfterAll
    static void stop() {
        for (ProxyFixture p : new ProxyFixture[] {transaction, session, split}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static void everyMode(String name, String script, Map<String, String> expected) {
        assertThat(Clients.python(transaction, name + "_transaction", PRELUDE + script)).as("transaction mode")
                .containsAllEntriesOf(expected);
        assertThat(Clients.python(session, name + "_session", PRELUDE + script)).as("session mode")
                .containsAllEntriesOf(expected);
        assertThat(Clients.python(split, name + "_split", PRELUDE + script)).as("routing on")
                .containsAllEntriesOf(expected);
    }

    @Test
    void executemanyOfABadStatementFailsAndTheConnectionGoesOn() {
        everyMode("executemany", """
                errors = 0
                after = 0
                for i in range(ROUNDS):
                    deadline(15)
                    with psycopg.connect(DSN, autocommit=(i % 2 == 0)) as conn:
                        cur = conn.cursor()
                        for bad in ("select 1/%s", "select * from no_such_table where 1 = %s"):
                            try:
                                cur.executemany(bad, [(1,), (0,), (2,), (3,)])
                            except psycopg.Error:
                                errors += 1
                                if not conn.autocommit:
                                    conn.rollback()
                            cur.execute("select %s::int + 1", (i,), prepare=(i % 3 == 0))
                            after += cur.fetchone()[0] == i + 1
                        base = 1000 * (i + 1)
                        try:
                            cur.executemany("insert into pipe_t values (%s)", [(base,), (base + 1,), (base,), (base + 2,)])
                        except psycopg.errors.UniqueViolation:
                            errors += 1
                            if not conn.autocommit:
                                conn.rollback()
                        cur.execute("delete from pipe_t where id >= %s and id < %s", (base, base + 1000))
                        if not conn.autocommit:
                            conn.commit()
                    signal.alarm(0)
                out("errors", errors)
                out("after", after)
                """, Map.of("errors", Integer.toString(3 * ROUNDS), "after", Integer.toString(2 * ROUNDS)));
    }

    @Test
    void pipelinesWithErrorsInTheMiddleAnswerEverythingAfterTheError() {
        everyMode("pipeline", """
                failed = 0
                good = 0
                for i in range(ROUNDS):
                    deadline(15)
                    with psycopg.connect(DSN, autocommit=True) as conn:
                        try:
                            with conn.pipeline():
                                conn.execute("select %s::int", (i,), prepare=(i % 2 == 0))
                                conn.execute("select 1/0")
                                conn.execute("select %s::text", ("skipped",), prepare=True)
                        except psycopg.errors.DivisionByZero:
                            failed += 1
                        good += conn.execute("select %s::int", (i,), prepare=True).fetchone()[0] == i
                        try:
                            with conn.pipeline() as p:
                                first = conn.execute("select %s::int + 1", (i,), prepare=True)
                                p.sync()
                                conn.execute("select * from no_such_table")
                                conn.execute("select %s::int * 3", (i,), prepare=True)
                        except psycopg.errors.UndefinedTable:
                            failed += 1
                        good += first.fetchone()[0] == i + 1
                        with conn.pipeline():
                            last = conn.execute("select %s::int * 2", (i,), prepare=True)
                            also = conn.execute("select 42")
                        good += last.fetchone()[0] == 2 * i
                        good += also.fetchone()[0] == 42
                    signal.alarm(0)
                out("failed", failed)
                out("good", good)
                """, Map.of("failed", Integer.toString(2 * ROUNDS), "good", Integer.toString(4 * ROUNDS)));
    }
}
