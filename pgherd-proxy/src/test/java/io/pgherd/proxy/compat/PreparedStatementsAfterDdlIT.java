package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * Server-side prepared statements after DDL, through the proxy exactly as directly: each client
 * script runs once against the primary directly and once through the proxy, and must print the same
 * (rows, or the error class and SQLSTATE). A statement prepared before {@code ALTER TABLE … ADD
 * COLUMN} fails with 0A000 "cached plan must not change result type" wherever it runs, a statement
 * prepared after it sees the new columns, and a client that closes and prepares again gets the new
 * plan. In transaction pooling, session pooling, and with read/write splitting (reads on a replica
 * that has replayed the DDL: consistency strong).
 */
@PostgresCluster(standby = false, replicas = 1)
class PreparedStatementsAfterDdlIT {
    static ProxyFixture transaction;
    static ProxyFixture session;
    static ProxyFixture split;

    @BeforeAll
    static void start(LocalCluster cluster) {
        Clients.requirePython("asyncpg", "python3-asyncpg");
        Clients.requireNodePostgres();
        transaction = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
        session = ProxyFixture.start(cluster, "  pool:\n    mode: session\n    pool_size: 12\n");
        split = ProxyFixture.startSplit(cluster, "  pool:\n    pool_size: 2\n  consistency:\n    mode: strong\n");
    }

    @AfterAll
    static void stop() {
        for (ProxyFixture p : new ProxyFixture[] {transaction, session, split}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static ProxyFixture proxy(String mode) {
        return switch (mode) {
            case "transaction" -> transaction;
            case "session" -> session;
            case "split" -> split;
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** What the asyncpg scripts share: the DSN, printing, and an attempt that prints its result or its error's SQLSTATE. */
    private static final String ASYNCPG_PRELUDE = """
            import asyncio, os, asyncpg
            # asyncpg would send connect_timeout to the server as a setting.
            DSN = os.environ["PGHERD_DSN"].split("?")[0] + "?sslmode=disable"
            def out(key, value):
                print(f"{key}={value}", flush=True)
            async def attempt(key, coro):
                try:
                    out(key, repr(await coro))
                except Exception as e:
                    out(key, type(e).__name__ + ":" + str(getattr(e, "sqlstate", "")))
            """;

    private static final String ASYNCPG = ASYNCPG_PRELUDE + """
            async def main():
                setup = await asyncpg.connect(DSN)
                await setup.execute("drop table if exists {t}; create table {t} (a int); insert into {t} values (1)")
                olds = [await asyncpg.connect(DSN) for _ in range(3)]
                for i, c in enumerate(olds):
                    await attempt(f"old{i}.before", c.fetch("select * from {t}"))
                stmt = await olds[0].prepare("select * from {t} where a = $1")
                await attempt("stmt.before", stmt.fetch(1))
                await setup.execute("alter table {t} add column b int default 7")
                for i, c in enumerate(olds):
                    await attempt(f"old{i}.after", c.fetch("select * from {t}"))
                await attempt("stmt.after", stmt.fetch(1))
                stmt2 = await olds[0].prepare("select * from {t} where a = $1")
                await attempt("stmt.reprepared", stmt2.fetch(1))
                for i in range(3):
                    n = await asyncpg.connect(DSN)
                    await attempt(f"new{i}", n.fetch("select * from {t}"))
                    await n.close()
                await setup.execute("alter table {t} add column c text default 'x'")
                async def in_transaction(c):
                    async with c.transaction():
                        return await c.fetch("select * from {t}")
                await attempt("tx.after", in_transaction(olds[1]))
                await attempt("tx.retry", in_transaction(olds[1]))
                for c in olds:
                    await c.close()
                await setup.close()
            asyncio.run(main())
            """;

    private static final String ASYNCPG_TYPES = ASYNCPG_PRELUDE + """
            async def main():
                setup = await asyncpg.connect(DSN)
                await setup.execute("drop table if exists {t}; drop type if exists {t}_pt;"
                                    " create type {t}_pt as (x int, y int);"
                                    " create table {t} (p {t}_pt); insert into {t} values ((1, 2))")
                olds = [await asyncpg.connect(DSN) for _ in range(2)]
                for i, c in enumerate(olds):
                    await attempt(f"old{i}.before", c.fetchval("select p from {t}"))
                await setup.execute("drop table {t}; drop type {t}_pt;"
                                    " create type {t}_pt as (x int, y int, z text);"
                                    " create table {t} (p {t}_pt); insert into {t} values ((1, 2, 'three'))")
                for i in range(3):
                    n = await asyncpg.connect(DSN)
                    await attempt(f"new{i}", n.fetchval("select p from {t}"))
                    await n.close()
                for i, c in enumerate(olds):
                    await attempt(f"old{i}.after", c.fetchval("select p from {t}"))
                    await c.close()
                await setup.close()
            asyncio.run(main())
            """;

    private static final String NODE_NAMED = """
            const { Client } = require("pg");
            const DSN = process.env.PGHERD_DSN;
            function out(key, value) { console.log(`${key}=${value}`); }
            async function attempt(key, run) {
              try { out(key, JSON.stringify((await run()).rows)); } catch (e) { out(key, "error:" + e.code); }
            }
            async function connect() { const c = new Client({ connectionString: DSN }); await c.connect(); return c; }
            (async () => {
              const setup = await connect();
              await setup.query("drop table if exists {t}; create table {t} (a int); insert into {t} values (1)");
              const olds = [await connect(), await connect(), await connect()];
              const q = { name: "q", text: "select * from {t}" };
              for (const [i, c] of olds.entries()) await attempt(`old${i}.before`, () => c.query(q));
              await setup.query("alter table {t} add column b int default 7");
              for (const [i, c] of olds.entries()) await attempt(`old${i}.after`, () => c.query(q));
              for (const [i, c] of olds.entries()) await attempt(`old${i}.again`, () => c.query(q));
              for (let i = 0; i < 3; i++) {
                const n = await connect();
                await attempt(`new${i}`, () => n.query(q));
                await attempt(`new${i}.other`, () => n.query({ name: "q2", text: "select b from {t}" }));
                await n.end();
              }
              for (const c of olds) await c.end();
              await setup.end();
            })().catch(e => { console.error(e); process.exit(1); });
            """;

    private static void assertSameAsDirect(String mode, String name, String script, boolean node) {
        ProxyFixture proxy = proxy(mode);
        String table = name + "_" + mode;
        String direct = script.replace("{t}", table + "_direct");
        String proxied = script.replace("{t}", table + "_proxied");
        Map<String, String> expected = node ? Clients.nodeDirect(proxy, table, direct)
                : Clients.pythonDirect(proxy, table, direct);
        Map<String, String> got = node ? Clients.node(proxy, table, proxied) : Clients.python(proxy, table, proxied);
        assertThat(expected).as("what the client sees directly").isNotEmpty();
        assertThat(got).as("what the client sees through the proxy (" + mode + ")").isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "split"})
    void asyncpgSeesTheNewColumnsAfterAlterTableAsDirectly(String mode) {
        assertSameAsDirect(mode, "ddl_asyncpg", ASYNCPG, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "split"})
    void asyncpgDecodesARecreatedCompositeTypeAsDirectly(String mode) {
        assertSameAsDirect(mode, "ddl_types", ASYNCPG_TYPES, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "split"})
    void nodePostgresNamedStatementsAfterAlterTableAsDirectly(String mode) {
        assertSameAsDirect(mode, "ddl_node", NODE_NAMED, true);
    }
}
