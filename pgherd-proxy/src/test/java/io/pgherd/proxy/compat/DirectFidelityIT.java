package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * What a client library sees through the proxy is what it sees on a direct connection: the
 * parameters reported at login, two-phase commit, DDL on databases the proxy holds connections to,
 * and in session pooling the server's own process id. Each test runs in transaction pooling, in
 * session pooling and with read/write splitting over a replica.
 */
@PostgresCluster(standby = false, replicas = 1, parameters = "max_prepared_transactions=10")
class DirectFidelityIT {
    static LocalCluster cluster;

    @BeforeAll
    static void keep(LocalCluster c) {
        cluster = c;
    }

    private static ProxyFixture start(String mode) {
        return switch (mode) {
            case "transaction" -> ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
            case "session" -> ProxyFixture.start(cluster, "  pool:\n    mode: session\n    pool_size: 2\n");
            case "routing" -> ProxyFixture.startSplit(cluster, "  pool:\n    pool_size: 2\n");
            case "session-routing" -> ProxyFixture.startSplit(cluster, "  pool:\n    mode: session\n    pool_size: 2\n");
            default -> throw new IllegalArgumentException(mode);
        };
    }

    private static String directDsn() {
        return "postgresql://postgres:" + cluster.credentials().superuserPassword() + "@127.0.0.1:"
                + cluster.primary().port() + "/postgres?sslmode=disable";
    }

    /**
     * node-postgres, which sends no application_name unless given one, sees the same ParameterStatus
     * values and settings through the proxy as directly; a startup parameter wins over the same
     * setting in {@code options}, as in PostgreSQL.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "routing"})
    void nodePostgresSeesTheParametersADirectConnectionReports(String mode) {
        try (ProxyFixture proxy = start(mode)) {
            Map<String, String> got = Clients.node(proxy, "reported", """
                    const { Client } = require("pg");
                    async function probe(connectionString, options) {
                      const client = new Client(Object.assign({ connectionString }, options));
                      const reported = {};
                      client.connection.on("parameterStatus", m => { reported[m.parameterName] = m.parameterValue; });
                      await client.connect();
                      const r = await client.query("select current_setting('application_name') as app");
                      await client.end();
                      return `${reported.application_name}|${r.rows[0].app}`;
                    }
                    (async () => {
                      for (const [label, dsn] of [["proxy", process.env.PGHERD_DSN], ["direct", "%s"]]) {
                        for (let i = 0; i < 2; i++) {
                          console.log(`${label}.app=${await probe(dsn, { application_name: "fidelity-app" })}`);
                          console.log(`${label}.noApp=${await probe(dsn, {})}`);
                          console.log(`${label}.appOverOptions=${await probe(dsn,
                              { application_name: "fidelity-app", options: "-c application_name=from-options" })}`);
                          console.log(`${label}.appFromOptions=${await probe(dsn, { options: "-c application_name=from-options" })}`);
                        }
                      }
                    })().catch(e => { console.error(e); process.exit(1); });
                    """.formatted(directDsn()));
            assertThat(got.get("direct.noApp")).as("PostgreSQL's own answer").isEqualTo("|");
            for (String key : new String[] {"app", "noApp", "appOverOptions", "appFromOptions"}) {
                assertThat(got.get("proxy." + key)).as(key + " " + got).isEqualTo(got.get("direct." + key));
            }
        }
    }

    /**
     * psycopg 3 (libpq) sends client_encoding as its user spelled it; PostgreSQL reports its own name
     * for the encoding (utf8 and unicode are UTF8), and refuses a name it does not know at login.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "routing"})
    void psycopgSeesClientEncodingByTheServersName(String mode) {
        Clients.requirePython("psycopg", "python3-psycopg");
        try (ProxyFixture proxy = start(mode)) {
            Map<String, String> got = Clients.python(proxy, "encoding", """
                    import os, psycopg
                    for label, dsn in (("proxy", os.environ["PGHERD_DSN"]), ("direct", "%s")):
                        for enc in ("utf8", "unicode", "UTF-8", "latin1", "Latin-1", "win1252"):
                            with psycopg.connect(dsn, client_encoding=enc) as c:
                                shown = c.execute("show client_encoding").fetchone()[0]
                                print(f"{label}.{enc}={c.info.parameter_status('client_encoding')}|{shown}")
                        try:
                            psycopg.connect(dsn, client_encoding="klingon").close()
                            print(f"{label}.klingon=accepted")
                        except psycopg.OperationalError as e:
                            print(f"{label}.klingon=" + ("refused" if 'invalid value for parameter "client_encoding"' in str(e) else str(e)))
                    """.formatted(directDsn()));
            assertThat(got.get("direct.utf8")).as("PostgreSQL's own answer").isEqualTo("UTF8|UTF8");
            for (String enc : new String[] {"utf8", "unicode", "UTF-8", "latin1", "Latin-1", "win1252", "klingon"}) {
                assertThat(got.get("proxy." + enc)).as(enc + " " + got).isEqualTo(got.get("direct." + enc));
            }
        }
    }

    /** psycopg2's two-phase commit API, and PREPARE TRANSACTION finished by another connection. */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "routing"})
    void twoPhaseCommitWorks(String mode) throws Exception {
        Clients.requirePsycopg2();
        String table = "tpc_" + mode;
        try (ProxyFixture proxy = start(mode)) {
            try (Connection c = proxy.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("drop table if exists " + table + "; create table " + table + " (id int)");
            }
            Map<String, String> got = Clients.python(proxy, "tpc", """
                    import os, psycopg2
                    conn = psycopg2.connect(os.environ["PGHERD_DSN"])
                    for n, finish in ((1, "commit"), (2, "rollback")):
                        xid = conn.xid(7, "fidelity-%1$s-" + str(n), "branch")
                        conn.tpc_begin(xid)
                        conn.cursor().execute("insert into %1$s values (%%s)", (n,))
                        conn.tpc_prepare()
                        getattr(conn, "tpc_" + finish)()
                    other = psycopg2.connect(os.environ["PGHERD_DSN"])
                    xid = other.xid(7, "fidelity-%1$s-3", "branch")
                    other.tpc_begin(xid)
                    other.cursor().execute("insert into %1$s values (3)")
                    other.tpc_prepare()
                    other.close()
                    print("recovered=" + ",".join(sorted(x.gtrid for x in conn.tpc_recover() if x.gtrid.startswith("fidelity-%1$s"))))
                    conn.tpc_commit(conn.xid(7, "fidelity-%1$s-3", "branch"))
                    cur = conn.cursor()
                    cur.execute("select string_agg(id::text, ',' order by id) from %1$s")
                    print("rows=" + cur.fetchone()[0])
                    conn.close()
                    """.formatted(table));
            assertThat(got).containsEntry("recovered", "fidelity-" + table + "-3").containsEntry("rows", "1,3");
            try (Connection a = proxy.connect("postgres"); Connection b = proxy.connect("postgres");
                 Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
                sa.execute("begin; insert into " + table + " values (4); prepare transaction 'fidelity-sql-" + mode + "'");
                sb.execute("commit prepared 'fidelity-sql-" + mode + "'");
                assertThat(value(sa, "select count(*) from " + table + " where id = 4")).isEqualTo("1");
                assertThat(value(sb, "select count(*) from pg_prepared_xacts")).isEqualTo("0");
            }
        }
    }

    /**
     * DROP DATABASE, CREATE DATABASE … TEMPLATE, a plain CREATE DATABASE (template1) and ALTER
     * DATABASE … RENAME succeed although the proxy holds idle server connections to the database
     * (PgBouncer's users get "database is being accessed by other users").
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session", "routing"})
    void databaseDdlIsNotBlockedByThePoolsIdleConnections(String mode) throws Exception {
        String db = "ddl_" + mode;
        try (ProxyFixture proxy = start(mode); Connection admin = proxy.connect("postgres");
             Statement s = admin.createStatement()) {
            s.execute("drop database if exists " + db + "_copy");
            s.execute("drop database if exists " + db + "_renamed");
            s.execute("drop database if exists " + db + "_plain");
            s.execute("drop database if exists " + db);
            s.execute("create database " + db);
            use(proxy, db);
            s.execute("create database " + db + "_copy template " + db);
            use(proxy, db);
            s.execute("alter database " + db + " rename to " + db + "_renamed");
            use(proxy, db + "_renamed");
            s.execute("drop database " + db + "_renamed");
            use(proxy, "template1");
            s.execute("create database " + db + "_plain");
            use(proxy, db + "_copy");
            s.execute("drop database if exists " + db + "_copy");
            s.execute("drop database " + db + "_plain");
            try (Connection direct = cluster.connect(cluster.primary()); Statement d = direct.createStatement()) {
                assertThat(value(d, "select count(*) from pg_database where datname like 'ddl\\_" + mode + "%'"))
                        .isEqualTo("0");
            }
        }
    }

    /** Connects through the proxy to {@code database}, runs a query and leaves: the pool keeps the server. */
    private static void use(ProxyFixture proxy, String database) throws SQLException {
        try (Connection c = proxy.connect(database); Statement s = c.createStatement()) {
            assertThat(value(s, "select current_database()")).isEqualTo(database);
        }
    }

    /**
     * In session pooling the client is told its server's real process id and cancel key, so
     * pg_backend_pid(), a NOTIFY's sender and pg_terminate_backend agree with it, and a cancel
     * request (sent with that pid and key, to the proxy) still cancels the running query.
     */
    @ParameterizedTest
    @ValueSource(strings = {"session", "session-routing"})
    void inSessionPoolingTheClientKnowsItsServersProcessIdAndCancelStillWorks(String mode) throws Exception {
        try (ProxyFixture proxy = start(mode); Connection c = proxy.connect("postgres"); Statement s = c.createStatement()) {
            int told = c.unwrap(PGConnection.class).getBackendPID();
            assertThat(value(s, "select pg_backend_pid()")).isEqualTo(Integer.toString(told));
            s.execute("listen fidelity; notify fidelity");
            PGNotification[] notes = c.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(notes).hasSize(1);
            assertThat(notes[0].getPID()).isEqualTo(told);
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    Clients.awaitRunning(cluster, "select pg_sleep(60)");
                    s.cancel();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.execute("select pg_sleep(60)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            cancel.join();
            try (Connection other = proxy.connect("postgres"); Statement o = other.createStatement()) {
                assertThat(value(o, "select pg_terminate_backend(" + told + ")")).isEqualTo("t");
            }
            assertThatThrownBy(() -> s.execute("select 1")).isInstanceOf(SQLException.class);
        }
    }

    private static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
