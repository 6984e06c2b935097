package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.route.Route;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * Reads a hot standby cannot run, through a routing proxy, by real client libraries: each must give
 * what the primary gives a direct client. Unlogged relations and a session's serializable default
 * are known to the router beforehand; what it could not know (a table made unlogged behind its back,
 * a database the standby has not replayed yet) is refused by the standby before any answer reached
 * the client, and the primary runs it instead.
 */
@PostgresCluster(standby = true, replicas = 0)
class ReplicaRefusalsIT {
    private static final String PRELUDE = """
            import os
            import psycopg2
            DSN = os.environ["PGHERD_DSN"]
            def out(key, value):
                print(f"{key}={value}", flush=True)
            """;
    /** Reads may go to the standby however far behind it is: the tests pause its replay. */
    private static final String YAML = "  routing:\n    max_replica_lag: 60s\n    max_replica_lag_bytes: 1073741824\n"
            + "  consistency:\n    mode: eventual\n";
    private static final Duration WAIT = Duration.ofSeconds(30);

    static LocalCluster cluster;
    static PostgresNode standby;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException {
        Clients.requirePsycopg2();
        Clients.requirePython("psycopg", "python3-psycopg");
        cluster = c;
        standby = cluster.followers().get(0);
        try (Connection direct = cluster.connect(cluster.primary()); Statement s = direct.createStatement()) {
            s.execute("create unlogged table scratch (id int primary key, note text)");
            s.execute("insert into scratch select g, 'note ' || g from generate_series(1, 10) g");
            s.execute("create table logged (id int primary key)");
            s.execute("insert into logged select generate_series(1, 5)");
        }
        awaitReplayed();
        proxy = ProxyFixture.startSplit(cluster, YAML);
        Await.until("the proxy read the catalog of database postgres", WAIT,
                () -> proxy.proxy().router("postgres").catalog().hasUnlogged());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void anUnloggedTableOfTheCatalogIsReadOnThePrimaryWithoutAskingTheStandby() {
        assertThat(proxy.proxy().router("postgres").route("select count(*) from scratch").reason())
                .isEqualTo(Route.Reason.UNLOGGED_RELATION);
        long retries = proxy.proxy().stats().retriesOnPrimary.sum();
        Map<String, String> got = Clients.python(proxy, "unlogged", PRELUDE + """
                conn = psycopg2.connect(DSN)
                conn.autocommit = True
                cur = conn.cursor()
                cur.execute("select count(*), pg_is_in_recovery() from scratch")
                out("scratch", cur.fetchone())
                cur.execute("select note from public.scratch where id = %s", (3,))
                out("note", cur.fetchone()[0])
                cur.execute("select count(*) from logged")
                out("logged", cur.fetchone()[0])
                conn.close()
                """);
        assertThat(got).containsEntry("scratch", "(10, False)").containsEntry("note", "note 3").containsEntry("logged", "5");
        assertThat(proxy.proxy().stats().retriesOnPrimary.sum()).as("the router knew; the standby was not asked").isEqualTo(retries);
    }

    /** A table made unlogged behind the proxy's back: the standby refuses it (0A000) and the primary answers, unnoticed. */
    @Test
    void aRelationTheCatalogDoesNotKnowAsUnloggedIsRetriedOnThePrimaryUnnoticed() throws SQLException {
        try (Connection direct = cluster.connect(cluster.primary()); Statement s = direct.createStatement()) {
            s.execute("create unlogged table scratch_late (id int)");
            s.execute("insert into scratch_late select generate_series(1, 7)");
        }
        awaitReplayed();
        assertThat(proxy.proxy().router("postgres").route("select * from scratch_late").target())
                .as("not yet in the proxy's catalog").isEqualTo(Route.Target.REPLICA);
        long retries = proxy.proxy().stats().retriesOnPrimary.sum();
        Map<String, String> got = Clients.python(proxy, "unlogged_late", """
                import os
                import psycopg
                with psycopg.connect(os.environ["PGHERD_DSN"], autocommit=True) as conn:
                    rows = conn.execute("select id from scratch_late order by id").fetchall()
                    print(f"ids={[r[0] for r in rows]}", flush=True)
                    rows = conn.execute("select id from scratch_late where id > %s", (5,)).fetchall()
                    print(f"bound={[r[0] for r in rows]}", flush=True)
                """);
        assertThat(got).containsEntry("ids", "[1, 2, 3, 4, 5, 6, 7]").containsEntry("bound", "[6, 7]");
        assertThat(proxy.proxy().stats().retriesOnPrimary.sum()).as("run again on the primary").isGreaterThan(retries);
    }

    @Test
    void aSessionWhoseDefaultIsolationIsSerializableReadsOnThePrimary() {
        long retries = proxy.proxy().stats().retriesOnPrimary.sum();
        Map<String, String> got = Clients.python(proxy, "serializable", PRELUDE + """
                conn = psycopg2.connect(DSN)
                conn.autocommit = True
                cur = conn.cursor()
                cur.execute("set default_transaction_isolation = serializable")
                cur.execute("select count(*), current_setting('transaction_isolation') from logged")
                out("set", cur.fetchone())
                cur.execute("reset default_transaction_isolation")
                cur.execute("set session characteristics as transaction isolation level serializable")
                cur.execute("begin read only")
                cur.execute("select count(*), current_setting('transaction_isolation') from logged")
                out("characteristics", cur.fetchone())
                cur.execute("commit")
                conn.close()

                # psycopg2's own way: the isolation level on every BEGIN it sends.
                conn = psycopg2.connect(DSN)
                conn.set_session(isolation_level="SERIALIZABLE", readonly=True)
                cur = conn.cursor()
                cur.execute("select count(*), current_setting('transaction_isolation') from logged")
                out("set_session", cur.fetchone())
                conn.commit()
                conn.close()
                """);
        assertThat(got).containsEntry("set", "(5, 'serializable')").containsEntry("characteristics", "(5, 'serializable')")
                .containsEntry("set_session", "(5, 'serializable')");
        assertThat(proxy.proxy().stats().retriesOnPrimary.sum()).as("the router knew the session's default").isEqualTo(retries);
    }

    /** The same default in the startup packet: psycopg 3 through libpq's options, asyncpg through its server_settings. */
    @Test
    void aSerializableDefaultFromTheStartupPacketIsKnownToo() {
        Clients.requirePython("asyncpg", "python3-asyncpg");
        long retries = proxy.proxy().stats().retriesOnPrimary.sum();
        Map<String, String> got = Clients.python(proxy, "serializable_startup", """
                import asyncio, os
                import asyncpg, psycopg
                DSN = os.environ["PGHERD_DSN"]
                SQL = "select count(*), current_setting('transaction_isolation') from logged"
                with psycopg.connect(DSN, autocommit=True, options="-c default_transaction_isolation=serializable") as conn:
                    print(f"psycopg={tuple(conn.execute(SQL).fetchone())}", flush=True)

                async def main():
                    # asyncpg would send the DSN's libpq-only parameters as settings: the bare URI, and no TLS.
                    conn = await asyncpg.connect(DSN.split("?")[0], ssl=False,
                                                 server_settings={"default_transaction_isolation": "serializable"})
                    print(f"asyncpg={tuple(await conn.fetchrow(SQL))}", flush=True)
                    async with conn.transaction(readonly=True):
                        print(f"asyncpg_read_only={tuple(await conn.fetchrow(SQL))}", flush=True)
                    await conn.close()
                asyncio.run(main())
                """);
        assertThat(got).containsEntry("psycopg", "(5, 'serializable')").containsEntry("asyncpg", "(5, 'serializable')")
                .containsEntry("asyncpg_read_only", "(5, 'serializable')");
        assertThat(proxy.proxy().stats().retriesOnPrimary.sum()).as("the router knew the session's default").isEqualTo(retries);
    }

    @Test
    void showTransactionReadOnlyAnswersAsThePrimaryWould() {
        Map<String, String> got = Clients.python(proxy, "show_read_only", """
                import os
                import psycopg
                with psycopg.connect(os.environ["PGHERD_DSN"], autocommit=True) as conn:
                    for i in range(5):
                        print(f"show{i}={conn.execute('show transaction_read_only').fetchone()[0]}", flush=True)
                    setting = conn.execute("select current_setting('transaction_read_only')").fetchone()[0]
                    print(f"setting={setting}", flush=True)
                """);
        assertThat(got).containsEntry("show0", "off").containsEntry("show4", "off").containsEntry("setting", "off");
    }

    /** CREATE TABLE pg_temp.x and a DO block make temporary tables too: their reads must go where they are. */
    @Test
    void aTemporaryTableIsReadWhereItIsHoweverItWasCreated() {
        Map<String, String> got = Clients.python(proxy, "temporary", PRELUDE + """
                def reads(create, table):
                    conn = psycopg2.connect(DSN)
                    conn.autocommit = True
                    cur = conn.cursor()
                    cur.execute(create)
                    cur.execute(f"insert into {table} values (1), (2)")
                    total = 0
                    for i in range(10):
                        cur.execute(f"select count(*) from {table}")
                        total += cur.fetchone()[0]
                    conn.close()
                    return total
                out("temp", reads("create temp table mine (id int)", "mine"))
                out("pg_temp", reads("create table pg_temp.also_mine (id int)", "also_mine"))
                out("do", reads("do $$ begin create temp table in_do (id int); end $$", "in_do"))
                """);
        assertThat(got).containsEntry("temp", "20").containsEntry("pg_temp", "20").containsEntry("do", "20");
    }

    /** A database created a moment ago that the standby has not replayed: its logins there fail (3D000), the primary serves. */
    @Test
    void aDatabaseTheStandbyDoesNotHaveYetIsServedByThePrimary() throws SQLException {
        try (Connection c = cluster.connect(standby); Statement s = c.createStatement()) {
            s.execute("select pg_wal_replay_pause()");
        }
        try {
            try (Connection direct = cluster.connect(cluster.primary()); Statement s = direct.createStatement()) {
                s.execute("create database fresh_db");
            }
            Map<String, String> got = Clients.python(proxy, "fresh_database", PRELUDE + """
                    conn = psycopg2.connect(DSN.replace("/postgres?", "/fresh_db?"))
                    conn.autocommit = True
                    cur = conn.cursor()
                    for i in range(3):
                        # No function call: the router sends it to the standby (it knows nothing of fresh_db's functions yet).
                        cur.execute("select 'fresh', %s", (i,))
                        out(f"read{i}", cur.fetchone())
                    out("closed", conn.closed)
                    conn.close()
                    """);
            assertThat(got).containsEntry("read0", "('fresh', 0)").containsEntry("read2", "('fresh', 2)")
                    .containsEntry("closed", "0");
            assertThat(proxy.proxy().backends().topology().node(standby.name()).isUp())
                    .as("the standby stays in rotation").isTrue();
        } finally {
            try (Connection c = cluster.connect(standby); Statement s = c.createStatement()) {
                s.execute("select pg_wal_replay_resume()");
            }
        }
    }

    /** Waits until the standby has replayed everything the primary had written when this was called. */
    private static void awaitReplayed() throws SQLException {
        String position;
        try (Connection primary = cluster.connect(cluster.primary()); Statement s = primary.createStatement();
             ResultSet rs = s.executeQuery("select pg_current_wal_lsn()::text")) {
            rs.next();
            position = rs.getString(1);
        }
        try (Connection c = cluster.connect(standby); Statement s = c.createStatement()) {
            Await.until(standby.name() + " to replay up to " + position, WAIT, () -> {
                try (ResultSet rs = s.executeQuery("select pg_last_wal_replay_lsn() >= '" + position + "'::pg_lsn")) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
        }
    }
}
