package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/** psycopg2 (Debian's python3-psycopg2, on libpq) through the proxy in transaction pooling. */
@PostgresCluster(standby = false, replicas = 0)
class Psycopg2CompatIT {
    private static final String PRELUDE = """
            import os, threading, time, io
            import psycopg2, psycopg2.errors, psycopg2.extensions
            DSN = os.environ["PGHERD_DSN"]
            def out(key, value):
                print(f"{key}={value}", flush=True)
            """;

    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster localCluster) {
        Clients.requirePsycopg2();
        cluster = localCluster;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void executeWithParametersAndFetch() {
        Map<String, String> got = Clients.python(proxy, "execute", PRELUDE + """
                conn = psycopg2.connect(DSN)
                cur = conn.cursor()
                cur.execute("select %s + %s, %s::text", (40, 2, "it's quoted"))
                one = cur.fetchone()
                out("sum", one[0])
                out("text", one[1])
                cur.execute("select g, g * g from generate_series(1, 1000) g")
                rows = cur.fetchall()
                out("rows", len(rows))
                out("squares", sum(r[1] for r in rows))
                cur.execute("select g from generate_series(1, 10) g")
                out("many", [r[0] for r in cur.fetchmany(3)])
                out("status", conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS)
                conn.rollback()
                conn.close()
                """);

        assertThat(got).containsEntry("sum", "42").containsEntry("text", "it's quoted").containsEntry("rows", "1000")
                .containsEntry("squares", Long.toString(1000L * 1001 * 2001 / 6)).containsEntry("many", "[1, 2, 3]")
                .containsEntry("status", "True");
    }

    @Test
    void namedCursorFetchesInChunksOfItersize() {
        Map<String, String> got = Clients.python(proxy, "named_cursor", PRELUDE + """
                conn = psycopg2.connect(DSN)
                cur = conn.cursor(name="compat_big")
                cur.itersize = 500
                cur.execute("select g from generate_series(1, 50000) g")
                count = 0
                total = 0
                for (g,) in cur:
                    count += 1
                    total += g
                out("count", count)
                out("total", total)
                cur.close()
                check = conn.cursor()
                check.execute("select count(*) from pg_cursors")
                out("cursors_left", check.fetchone()[0])
                conn.commit()
                conn.close()
                """);

        assertThat(got).containsEntry("count", "50000").containsEntry("total", Long.toString(50000L * 50001 / 2))
                .containsEntry("cursors_left", "0");
    }

    @Test
    void executemanyInsertsEveryRow() {
        Map<String, String> got = Clients.python(proxy, "executemany", PRELUDE + """
                conn = psycopg2.connect(DSN)
                cur = conn.cursor()
                cur.execute("drop table if exists py_many")
                cur.execute("create table py_many(id int primary key, label text)")
                cur.executemany("insert into py_many values (%s, %s)", [(i, f"label {i}") for i in range(1, 801)])
                conn.commit()
                cur.execute("update py_many set label = upper(label) where id <= %(limit)s", {"limit": 100})
                out("updated", cur.rowcount)
                conn.commit()
                other = psycopg2.connect(DSN)
                other.autocommit = True
                oc = other.cursor()
                oc.execute("select count(*), sum(id), count(*) filter (where label like 'LABEL%') from py_many")
                out("seen", list(oc.fetchone()))
                other.close()
                conn.close()
                """);

        assertThat(got).containsEntry("updated", "100").containsEntry("seen", "[800, 320400, 100]");
    }

    @Test
    void copyExpertLoadsAndUnloadsTables() {
        Map<String, String> got = Clients.python(proxy, "copy_expert", PRELUDE + """
                conn = psycopg2.connect(DSN)
                cur = conn.cursor()
                cur.execute("drop table if exists py_copy")
                cur.execute("create table py_copy(id int, label text)")
                data = "".join(f"{i},\\"row, {i}\\"\\n" for i in range(1, 20001))
                cur.copy_expert("copy py_copy from stdin with (format csv)", io.StringIO(data))
                out("loaded", cur.rowcount)
                conn.commit()
                buf = io.StringIO()
                cur.copy_expert("copy (select * from py_copy order by id) to stdout with (format csv)", buf)
                out("same", buf.getvalue() == data)
                out("unloaded_lines", len(buf.getvalue().splitlines()))
                conn.commit()
                conn.close()
                """);

        assertThat(got).containsEntry("loaded", "20000").containsEntry("same", "True")
                .containsEntry("unloaded_lines", "20000");
    }

    @Test
    void cancelFromAnotherThreadStopsTheQueryAndTheConnectionStaysUsable() {
        Map<String, String> got = Clients.python(proxy, "cancel", PRELUDE + """
                SQL = "select pg_sleep(30) as py_cancel"
                conn = psycopg2.connect(DSN)
                watcher = psycopg2.connect(DSN)
                watcher.autocommit = True
                def cancel_when_running():
                    wc = watcher.cursor()
                    deadline = time.monotonic() + 20
                    while time.monotonic() < deadline:
                        wc.execute("select count(*) from pg_stat_activity where state = 'active' and query = %s", (SQL,))
                        if wc.fetchone()[0] > 0:
                            conn.cancel()
                            out("cancel_sent", True)
                            return
                        time.sleep(0.05)  # the poll interval of a wait with a deadline
                    out("cancel_sent", "timed out waiting for the query to run")
                t = threading.Thread(target=cancel_when_running)
                started = time.monotonic()
                t.start()
                try:
                    conn.cursor().execute(SQL)
                    out("error", "none")
                except psycopg2.errors.QueryCanceled as e:
                    out("error", e.pgcode)
                out("fast", time.monotonic() - started < 25)
                t.join(30)
                conn.rollback()
                cur = conn.cursor()
                cur.execute("select 'usable'")
                out("after", cur.fetchone()[0])
                conn.close()
                watcher.close()
                """);

        assertThat(got).containsEntry("cancel_sent", "True").containsEntry("error", "57014")
                .containsEntry("fast", "True").containsEntry("after", "usable");
    }

    @Test
    void autocommitOffHoldsChangesUntilCommitAndOnAppliesThemAtOnce() {
        Map<String, String> got = Clients.python(proxy, "autocommit", PRELUDE + """
                def count(c):
                    cur = c.cursor()
                    cur.execute("select count(*) from py_auto")
                    return cur.fetchone()[0]
                observer = psycopg2.connect(DSN)
                observer.autocommit = True
                conn = psycopg2.connect(DSN)
                cur = conn.cursor()
                cur.execute("drop table if exists py_auto")
                cur.execute("create table py_auto(id int)")
                conn.commit()
                cur.execute("insert into py_auto values (1)")
                out("before_commit", count(observer))
                out("in_transaction", conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS)
                conn.commit()
                out("after_commit", count(observer))
                cur.execute("insert into py_auto values (2)")
                conn.rollback()
                out("after_rollback", count(observer))
                conn.autocommit = True
                cur.execute("insert into py_auto values (3)")
                out("autocommitted", count(observer))
                out("idle", conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE)
                cur.execute("vacuum py_auto")
                out("vacuum", cur.statusmessage)
                conn.close()
                observer.close()
                """);

        assertThat(got).containsEntry("before_commit", "0").containsEntry("in_transaction", "True")
                .containsEntry("after_commit", "1").containsEntry("after_rollback", "1")
                .containsEntry("autocommitted", "2").containsEntry("idle", "True").containsEntry("vacuum", "VACUUM");
    }
}
