package io.pgherd.proxy.routing;

import static io.pgherd.proxy.routing.RoutingSql.admin;
import static io.pgherd.proxy.routing.RoutingSql.connect;
import static io.pgherd.proxy.routing.RoutingSql.connectPort;
import static io.pgherd.proxy.routing.RoutingSql.execute;
import static io.pgherd.proxy.routing.RoutingSql.explainRoute;
import static io.pgherd.proxy.routing.RoutingSql.nodes;
import static io.pgherd.proxy.routing.RoutingSql.routed;
import static io.pgherd.proxy.routing.RoutingSql.value;
import static io.pgherd.proxy.routing.ServerStatementLog.marker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.route.Route;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;

/**
 * Each class of statement runs where it should, as the servers' own logs prove: reads that the
 * router can prove read-only on one standby or replica, everything else on the primary, and each
 * succeeds; a write the router cannot see is run again on the primary without the client noticing;
 * transactions, prepared statements, session settings, fixed ports, draining and primary_reads
 * steer work as documented (DESIGN.md §4). Every statement carries a unique marker comment that
 * {@link ServerStatementLog} looks up in each node's log.
 */
@PostgresCluster(standby = true, replicas = 2, parameters = {"log_statement=all"})
class RoutingIT {
    /**
     * Reads may go to any replica within the lag limits, however fresh: routing, not freshness, is
     * under test here (ConsistencyIT covers read-your-writes), and a replica a few milliseconds
     * behind must not turn a read into a fallback to the primary.
     */
    private static final String EVENTUAL = "  consistency:\n    mode: eventual\n";
    private static final String CONFIG = "  routing:\n    primary_listen: 127.0.0.1:0\n    replica_listen: 127.0.0.1:0\n"
            + EVENTUAL;
    private static final Duration SOON = Duration.ofSeconds(10);

    /** Provably read-only: each must run on exactly one node, not the primary. {m}: the marker. */
    private static final List<String> READS = List.of(
            "/* {m} */ SELECT id, note FROM routing_t WHERE id = 1",
            "/* {m} */ SELECT t.id FROM routing_t t JOIN routing_t u ON u.id = t.id WHERE t.note <> 'for update' LIMIT 3",
            "/* {m} */ WITH recent AS (SELECT id FROM routing_t WHERE id > 5) SELECT count(*) FROM recent",
            "/* {m} */ VALUES (1, 'one'), (2, 'two')",
            "/* {m} */ TABLE routing_t",
            "/* {m} */ SHOW work_mem",
            "/* {m} */ EXPLAIN SELECT id FROM routing_t WHERE id = 1",
            "/* {m} */ EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM routing_t",
            "/* {m} */ SELECT routing_row_count()");

    /** Not provably read-only: each must succeed, on the primary only. {id}: a fresh row id the statement inserts. */
    private static final List<String> WRITES = List.of(
            "/* {m} */ INSERT INTO routing_t VALUES ({id}, 'insert')",
            "/* {m} */ UPDATE routing_t SET note = 'updated' WHERE id = 10",
            "/* {m} */ DELETE FROM routing_t WHERE id = -1",
            "/* {m} */ CREATE TABLE routing_ddl (x int)",
            "/* {m} */ ALTER TABLE routing_ddl ADD COLUMN y int",
            "/* {m} */ DROP TABLE routing_ddl",
            "/* {m} */ SELECT id FROM routing_t WHERE id = 1 FOR UPDATE",
            "/* {m} */ SELECT id FROM routing_t WHERE id = 1 FOR NO KEY UPDATE",
            "/* {m} */ SELECT id FROM routing_t WHERE id = 1 FOR SHARE",
            "/* {m} */ SELECT id FROM routing_t WHERE id = 1 FOR KEY SHARE",
            "/* {m} */ SELECT s.id FROM (SELECT id FROM routing_t WHERE id = 1 FOR UPDATE) s",
            "/* {m} */ SELECT count(*) FROM routing_t WHERE id IN (SELECT id FROM routing_t WHERE id < 3 FOR KEY SHARE)",
            "/* {m} */ WITH added AS (INSERT INTO routing_t VALUES ({id}, 'cte') RETURNING id) SELECT id FROM added",
            "/* {m} */ SELECT id, note INTO routing_into FROM routing_t",
            "/* {m} */ DROP TABLE routing_into",
            "/* {m} */ SELECT nextval('routing_seq')",
            "/* {m} */ SELECT id, nextval('routing_seq') FROM routing_t WHERE id = 1",
            "/* {m} */ EXPLAIN ANALYZE INSERT INTO routing_t VALUES ({id}, 'explain analyze')",
            "/* {m} */ CALL routing_proc({id})",
            "/* {m} */ DO $$ BEGIN INSERT INTO routing_t VALUES ({id}, 'do'); END $$",
            "/* {m} */ REFRESH MATERIALIZED VIEW routing_mv",
            "/* {m} */ SELECT 1; /* {m} */ INSERT INTO routing_t VALUES ({id}, 'multi')",
            "/* pgherd:primary */ /* {m} */ SELECT id FROM routing_t WHERE id = 1",
            "/* {m} */ SELECT routing_log_insert('{m}')");

    private static final String SETUP = """
            CREATE TABLE routing_t (id int PRIMARY KEY, note text);
            INSERT INTO routing_t SELECT g, 'row ' || g FROM generate_series(1, 10) g;
            CREATE SEQUENCE routing_seq;
            CREATE TABLE routing_log (source text NOT NULL);
            CREATE FUNCTION routing_log_insert(source text) RETURNS int LANGUAGE sql VOLATILE
                AS $$ INSERT INTO routing_log VALUES (source); SELECT 1 $$;
            CREATE FUNCTION routing_row_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM routing_t $$;
            CREATE VIEW routing_v AS SELECT routing_log_insert('view') AS inserted;
            CREATE PROCEDURE routing_proc(i int) LANGUAGE sql AS $$ INSERT INTO routing_t VALUES (i, 'call') $$;
            CREATE MATERIALIZED VIEW routing_mv AS SELECT count(*) AS n FROM routing_t;
            """;

    static LocalCluster cluster;
    static String primary;
    static ProxyFixture proxy;
    static ServerStatementLog serverLog;
    static final AtomicInteger ids = new AtomicInteger(1000);
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(LocalCluster c) throws Exception {
        cluster = c;
        primary = cluster.primary().name();
        serverLog = new ServerStatementLog(cluster);
        try (Connection direct = cluster.connect(cluster.primary())) {
            execute(direct, SETUP);
            String lsn = value(direct, "SELECT pg_current_wal_lsn()");
            for (PostgresNode follower : cluster.followers()) {
                try (Connection f = cluster.connect(follower)) {
                    Await.until(follower.name() + " to replay the schema up to " + lsn, SOON,
                            () -> "t".equals(value(f, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")));
                }
            }
        }
        proxy = startProxy(CONFIG);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** A split proxy whose function catalog of database postgres is loaded (until then every call goes to the primary). */
    private static ProxyFixture startProxy(String yaml) {
        ProxyFixture fixture = ProxyFixture.startSplit(cluster, yaml);
        Await.until("the function catalog of database postgres to be loaded", SOON,
                () -> explainRoute(fixture, "SELECT routing_row_count()").get("target").equals("replica"));
        return fixture;
    }

    // ---------------------------------------------------------------- statement classes

    @Test
    void provablyReadOnlyStatementsRunOnOneReplica() throws Exception {
        try (Connection extended = connect(proxy); Connection simple = connect(proxy, "preferQueryMode", "simple")) {
            for (Connection c : List.of(extended, simple)) {
                for (String template : READS) {
                    onOneReplica(run(c, template));
                }
                String m = marker();
                StringWriter table = new StringWriter();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("/* " + m + " */ COPY routing_t TO STDOUT", table);
                assertThat(table.toString()).contains("1\trow 1\n");
                onOneReplica(new Ran(m, "COPY routing_t TO STDOUT", 0));
                String q = marker();
                StringWriter query = new StringWriter();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("/* " + q + " */ COPY (SELECT id FROM routing_t WHERE id = 3)"
                        + " TO STDOUT", query);
                assertThat(query.toString()).isEqualTo("3\n");
                onOneReplica(new Ran(q, "COPY (SELECT …) TO STDOUT", 0));
            }
        }
    }

    @Test
    void writesAndEverythingNotProvablyReadOnlyRunOnThePrimaryAndSucceed() throws Exception {
        List<Integer> inserted = new ArrayList<>();
        try (Connection extended = connect(proxy); Connection simple = connect(proxy, "preferQueryMode", "simple")) {
            for (Connection c : List.of(extended, simple)) {
                for (String template : WRITES) {
                    Ran ran = run(c, template);
                    onPrimary(ran);
                    if (template.contains("{id}")) {
                        inserted.add(ran.id());
                    }
                }
                int id = ids.incrementAndGet();
                String m = marker();
                long copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn("/* " + m + " */ COPY routing_t (id, note)"
                        + " FROM STDIN", new StringReader(id + "\tcopied\n"));
                assertThat(copied).isEqualTo(1);
                onPrimary(new Ran(m, "COPY routing_t FROM STDIN", id));
                inserted.add(id);

                c.setAutoCommit(false);
                Ran lock = run(c, "/* {m} */ LOCK TABLE routing_t IN SHARE ROW EXCLUSIVE MODE");
                c.commit();
                c.setAutoCommit(true);
                onPrimary(lock);
            }
        }
        assertThat(primaryValue("SELECT count(*) FROM routing_t WHERE id = ANY ('{" + join(inserted) + "}'::int[])"))
                .as("rows inserted by %s", inserted).isEqualTo(Integer.toString(inserted.size()));
    }

    @Test
    void aVolatileFunctionThatWritesRunsOnThePrimaryAndAStableOneOnAReplica() throws Exception {
        assertThat(explainRoute(proxy, "SELECT routing_log_insert('x')")).containsEntry("target", "primary")
                .containsEntry("reason", "volatile_function").containsEntry("detail", "routing_log_insert");
        try (Connection c = connect(proxy)) {
            String m = marker();
            assertThat(value(c, "/* " + m + " */ SELECT routing_log_insert('" + m + "')")).isEqualTo("1");
            onPrimary(new Ran(m, "SELECT routing_log_insert(…)", 0));
            assertThat(primaryValue("SELECT count(*) FROM routing_log WHERE source = '" + m + "'")).isEqualTo("1");

            Ran stable = run(c, "/* {m} */ SELECT routing_row_count()");
            onOneReplica(stable);
        }
    }

    @Test
    void aWriteHiddenInAViewIsRunAgainOnThePrimaryUnnoticedAndThenSentThereFirst() throws Exception {
        try (Connection extended = connect(proxy); Connection simple = connect(proxy, "preferQueryMode", "simple")) {
            for (Connection c : List.of(extended, simple)) {
                String m = marker();
                String sql = "/* " + m + " */ SELECT inserted FROM routing_v";
                assertThat(explainRoute(proxy, sql)).as("the router cannot see the write").containsEntry("target", "replica");
                long retries = routed(proxy, "primary", "retry_on_primary");
                long learned = routed(proxy, "primary", "learned_write");
                long rows = Long.parseLong(primaryValue("SELECT count(*) FROM routing_log WHERE source = 'view'"));

                assertThat(value(c, sql)).isEqualTo("1");
                Map<String, Integer> first = serverLog.await(m, 2);
                assertThat(first).as("a replica refused it (25006), then the primary ran it: %s", first)
                        .hasSize(2).containsEntry(primary, 1);
                assertThat(primaryValue("SELECT count(*) FROM routing_log WHERE source = 'view'")).isEqualTo(Long.toString(rows + 1));
                assertThat(routed(proxy, "primary", "retry_on_primary")).isEqualTo(retries + 1);

                assertThat(value(c, sql)).isEqualTo("1");
                Map<String, Integer> second = serverLog.await(m, 3);
                Map<String, Integer> expected = new LinkedHashMap<>(first);
                expected.put(primary, 2);
                assertThat(second).as("the second run goes straight to the primary").isEqualTo(expected);
                assertThat(primaryValue("SELECT count(*) FROM routing_log WHERE source = 'view'")).isEqualTo(Long.toString(rows + 2));
                assertThat(routed(proxy, "primary", "learned_write")).isEqualTo(learned + 1);
                assertThat(explainRoute(proxy, sql)).containsEntry("target", "primary").containsEntry("reason", "learned_write");
            }
        }
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void aReadWriteTransactionRunsWhollyOnThePrimary() throws Exception {
        try (Connection c = connect(proxy)) {
            List<Ran> ran = List.of(run(c, "/* {m} */ BEGIN"), run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"),
                    run(c, "/* {m} */ SELECT count(*) FROM routing_t"), run(c, "/* {m} */ COMMIT"));
            ran.forEach(RoutingIT::onPrimary);
        }
    }

    @Test
    void aReadOnlyTransactionRunsWhollyOnOneReplica() throws Exception {
        try (Connection c = connect(proxy)) {
            List<Ran> ran = List.of(run(c, "/* {m} */ BEGIN READ ONLY"), run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"),
                    run(c, "/* {m} */ SELECT count(*) FROM routing_t"), run(c, "/* {m} */ COMMIT"));
            assertAllOnOneReplica(ran);

            // pgjdbc's own way: setReadOnly sends BEGIN READ ONLY along with the first statement.
            c.setReadOnly(true);
            c.setAutoCommit(false);
            List<Ran> jdbc = List.of(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 2"),
                    run(c, "/* {m} */ SELECT count(*) FROM routing_t"));
            c.commit();
            assertAllOnOneReplica(jdbc);
        }
    }

    @Test
    void aSerializableReadOnlyTransactionRunsOnThePrimary() throws Exception {
        try (Connection c = connect(proxy)) {
            List<Ran> ran = List.of(run(c, "/* {m} */ START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY"),
                    run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"), run(c, "/* {m} */ COMMIT"));
            ran.forEach(RoutingIT::onPrimary);
        }
    }

    @Test
    void withDefaultTransactionReadOnlyAPlainBeginRunsOnOneReplica() throws Exception {
        try (Connection c = connect(proxy)) {
            execute(c, "SET default_transaction_read_only = on");
            try {
                List<Ran> ran = List.of(run(c, "/* {m} */ BEGIN"), run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"),
                        run(c, "/* {m} */ COMMIT"));
                assertAllOnOneReplica(ran);
            } finally {
                execute(c, "RESET default_transaction_read_only");
            }
            onPrimary(run(c, "/* {m} */ BEGIN"));
            execute(c, "COMMIT");
        }
    }

    // ---------------------------------------------------------------- extended protocol

    @Test
    void serverPreparedReadsRunOnReplicasAndWritesOnThePrimaryOnOneConnection() throws Exception {
        int times = 40;
        String readMarker = marker();
        String writeMarker = marker();
        List<Integer> inserted = new ArrayList<>();
        try (Connection c = connect(proxy, "prepareThreshold", "1");
             PreparedStatement read = c.prepareStatement("/* " + readMarker + " */ SELECT id FROM routing_t WHERE id = ?");
             PreparedStatement write = c.prepareStatement("/* " + writeMarker + " */ INSERT INTO routing_t VALUES (?, ?)")) {
            for (int i = 0; i < times; i++) {
                int key = 1 + i % 9;
                read.setInt(1, key);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).as("row %d after %d writes", key, i).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(key);
                }
                int id = ids.incrementAndGet();
                write.setInt(1, id);
                write.setString(2, "prepared");
                assertThat(write.executeUpdate()).isEqualTo(1);
                inserted.add(id);
            }
        }
        Map<String, Integer> reads = serverLog.await(readMarker, times);
        assertThat(reads).as("prepared reads by node").doesNotContainKey(primary);
        assertThat(reads.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(times);
        List<String> readLines = serverLog.lines(readMarker).values().stream().flatMap(List::stream).toList();
        assertThat(readLines).as("server-prepared, not unnamed").noneMatch(line -> line.contains("execute <unnamed>"));
        assertThat(serverLog.await(writeMarker, times)).as("prepared writes by node").isEqualTo(Map.of(primary, times));
        assertThat(primaryValue("SELECT count(*) FROM routing_t WHERE id = ANY ('{" + join(inserted) + "}'::int[])"))
                .isEqualTo(Integer.toString(times));
    }

    @Test
    void aJdbcBatchOfInsertsRunsOnThePrimary() throws Exception {
        int size = 25;
        String m = marker();
        List<Integer> inserted = new ArrayList<>();
        try (Connection c = connect(proxy, "prepareThreshold", "1");
             PreparedStatement batch = c.prepareStatement("/* " + m + " */ INSERT INTO routing_t VALUES (?, ?)")) {
            for (int i = 0; i < size; i++) {
                int id = ids.incrementAndGet();
                batch.setInt(1, id);
                batch.setString(2, "batch");
                batch.addBatch();
                inserted.add(id);
            }
            assertThat(batch.executeBatch()).containsOnly(1).hasSize(size);
        }
        assertThat(serverLog.await(m, size)).isEqualTo(Map.of(primary, size));
        assertThat(primaryValue("SELECT count(*) FROM routing_t WHERE id = ANY ('{" + join(inserted) + "}'::int[])"))
                .isEqualTo(Integer.toString(size));
    }

    // ---------------------------------------------------------------- session settings and fixed ports

    @Test
    void pgherdRouteSendsReadsToThePrimaryUntilReset() throws Exception {
        try (Connection c = connect(proxy)) {
            assertThat(value(c, "SHOW pgherd.route")).isEqualTo("auto");
            execute(c, "SET pgherd.route = 'primary'");
            assertThat(value(c, "SHOW pgherd.route")).isEqualTo("primary");
            onPrimary(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            onPrimary(run(c, "/* {m} */ SELECT count(*) FROM routing_t"));
            execute(c, "RESET pgherd.route");
            assertThat(value(c, "SHOW pgherd.route")).isEqualTo("auto");
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
        }
    }

    /** The values as documented, unquoted: {@code primary} is a reserved word to PostgreSQL's parser. */
    @Test
    void pgherdRouteTakesItsDocumentedUnquotedValues() throws Exception {
        try (Connection c = connect(proxy)) {
            execute(c, "SET pgherd.route = primary");
            assertThat(value(c, "SHOW pgherd.route")).isEqualTo("primary");
            onPrimary(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            execute(c, "SET pgherd.route TO auto");
            assertThat(value(c, "SHOW pgherd.route")).isEqualTo("auto");
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
        }
    }

    /** A SET leaves session state the proxy reads back from the server; the next statement is still routed on its own. */
    @Test
    void aReadRightAfterASetRunsOnAReplica() throws Exception {
        try (Connection c = connect(proxy)) {
            for (int i = 0; i < 3; i++) {
                execute(c, "SET statement_timeout = '" + (30 + i) + "s'");
                onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            }
            assertThat(value(c, "SHOW statement_timeout")).isEqualTo("32s");
        }
    }

    @Test
    void aBadPgherdConsistencyIsRefusedWith22023AndTheConnectionGoesOn() throws Exception {
        try (Connection c = connect(proxy)) {
            assertThatThrownBy(() -> execute(c, "SET pgherd.consistency = bogus")).isInstanceOf(PSQLException.class)
                    .hasMessageContaining("pgherd.consistency")
                    .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("22023"));
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            onPrimary(run(c, "/* {m} */ INSERT INTO routing_t VALUES ({id}, 'after a bad setting')"));
        }
    }

    @Test
    void theFixedPortsSendWorkToTheirTargetAndTheReplicaPortRefusesWrites() throws Exception {
        int primaryPort = proxy.server().fixedPort(Route.Target.PRIMARY);
        int replicaPort = proxy.server().fixedPort(Route.Target.REPLICA);
        assertThat(primaryPort).isPositive();
        assertThat(replicaPort).isPositive();
        try (Connection writer = connectPort(proxy, primaryPort); Connection reader = connectPort(proxy, replicaPort)) {
            onPrimary(run(writer, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            onOneReplica(run(reader, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));

            String m = marker();
            assertThatThrownBy(() -> execute(reader, "/* " + m + " */ INSERT INTO routing_t VALUES (" + ids.incrementAndGet()
                    + ", 'replica port')")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("25006"));
            onOneReplica(new Ran(m, "INSERT on the replica port (not retried on the primary)", 0));
            onOneReplica(run(reader, "/* {m} */ SELECT count(*) FROM routing_t"));
        }
    }

    // ---------------------------------------------------------------- admin console and metrics

    @Test
    void showNodesListsEveryNodeWithItsRoleAndCountsReads() throws Exception {
        Map<String, Map<String, String>> before = nodes(proxy);
        assertThat(before.keySet()).containsExactly("node1", "node2", "node3", "node4");
        assertThat(before.get("node1")).containsEntry("role", "primary").containsEntry("state", "up").containsEntry("eligible", "false");
        assertThat(before.get("node2")).containsEntry("role", "standby").containsEntry("state", "up").containsEntry("eligible", "true");
        for (String replica : List.of("node3", "node4")) {
            assertThat(before.get(replica)).containsEntry("role", "replica").containsEntry("state", "up")
                    .containsEntry("eligible", "true").containsEntry("why_not", "");
        }
        int reads = 30;
        try (Connection c = connect(proxy)) {
            for (int i = 0; i < reads; i++) {
                value(c, "SELECT note FROM routing_t WHERE id = 1");
            }
        }
        Map<String, Map<String, String>> after = nodes(proxy);
        assertThat(selects(after, "node2", "node3", "node4") - selects(before, "node2", "node3", "node4")).isEqualTo(reads);
        assertThat(after.get("node1").get("select_count")).isEqualTo(before.get("node1").get("select_count"));
    }

    @Test
    void explainRouteTellsWhereAStatementWouldGoWithoutRunningIt() throws Exception {
        assertThat(explainRoute(proxy, "SELECT 1")).containsEntry("target", "replica").containsEntry("reason", "read_only");
        String m = marker();
        int id = ids.incrementAndGet();
        assertThat(explainRoute(proxy, "INSERT INTO routing_t VALUES (" + id + ", '" + m + "')"))
                .containsEntry("target", "primary").containsEntry("reason", "write");
        assertThat(explainRoute(proxy, "LOCK TABLE routing_t")).containsEntry("target", "primary");
        assertThat(explainRoute(proxy, "SELECT id FROM routing_t FOR NO KEY UPDATE")).containsEntry("reason", "locking_clause");
        // Something that surely ran after the EXPLAIN ROUTE answers: had they run anything, it would be logged by now.
        try (Connection c = connect(proxy)) {
            onPrimary(run(c, "/* {m} */ INSERT INTO routing_t VALUES ({id}, 'after explain route')"));
        }
        assertThat(serverLog.executions(m)).as("executions of the explained INSERT").isEmpty();
        assertThat(primaryValue("SELECT count(*) FROM routing_t WHERE id = " + id)).isEqualTo("0");
    }

    @Test
    void aDrainedReplicaGetsNoNewReadsUntilUndrained() throws Exception {
        int reads = 200;
        String m = marker();
        try (Connection c = connect(proxy)) {
            admin(proxy, "DRAIN node3");
            try {
                Map<String, String> drained = nodes(proxy).get("node3");
                assertThat(drained).containsEntry("state", "draining").containsEntry("eligible", "false")
                        .containsEntry("why_not", "draining");
                for (int i = 0; i < reads; i++) {
                    value(c, "/* " + m + " */ SELECT note FROM routing_t WHERE id = 1");
                }
                assertThat(nodes(proxy).get("node3").get("select_count")).isEqualTo(drained.get("select_count"));
                Map<String, Integer> ran = serverLog.await(m, reads);
                assertThat(ran).as("reads by node while node3 drains").doesNotContainKeys("node3", primary);
                assertThat(ran.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(reads);
            } finally {
                admin(proxy, "UNDRAIN node3");
            }
            assertThat(nodes(proxy).get("node3")).containsEntry("state", "up").containsEntry("eligible", "true");
            String again = marker();
            Await.until("a read to reach node3 again", SOON, () -> {
                value(c, "/* " + again + " */ SELECT note FROM routing_t WHERE id = 1");
                return serverLog.executions(again).containsKey("node3");
            });
        }
    }

    @Test
    void metricsHaveSeriesPerNodeAndPerRoutingReason() throws Exception {
        try (Connection c = connect(proxy)) {
            value(c, "SELECT note FROM routing_t WHERE id = 1");
            execute(c, "INSERT INTO routing_t VALUES (" + ids.incrementAndGet() + ", 'metrics')");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().lines().toList())
                .contains("pgherd_node_up{node=\"node1\",role=\"primary\"} 1", "pgherd_node_up{node=\"node2\",role=\"standby\"} 1",
                        "pgherd_node_up{node=\"node3\",role=\"replica\"} 1", "pgherd_node_eligible{node=\"node4\"} 1",
                        "pgherd_node_eligible{node=\"node1\"} 0")
                .anyMatch(l -> l.matches("pgherd_node_reads_total\\{node=\"node[234]\"} [1-9][0-9]*"))
                .anyMatch(l -> l.matches("pgherd_node_writes_total\\{node=\"node1\"} [1-9][0-9]*"))
                .anyMatch(l -> l.matches("pgherd_routed_total\\{target=\"replica\",reason=\"read_only\"} [1-9][0-9]*"))
                .anyMatch(l -> l.matches("pgherd_routed_total\\{target=\"primary\",reason=\"write\"} [1-9][0-9]*"));
    }

    // ---------------------------------------------------------------- no eligible replica

    @Test
    void withPrimaryReadsNeverAReadThatNoReplicaCanTakeFailsWith57P03() throws Exception {
        try (ProxyFixture never = startProxy("  routing:\n    primary_reads: never\n" + EVENTUAL);
             Connection c = connect(never)) {
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            drainReplicas(never, "DRAIN");
            String m = marker();
            assertThatThrownBy(() -> value(c, "/* " + m + " */ SELECT note FROM routing_t WHERE id = 1"))
                    .isInstanceOf(PSQLException.class).hasMessageContaining("no node is eligible for reads")
                    .hasMessageContaining("draining").hasMessageContaining("primary_reads is never")
                    .satisfies(e -> assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("57P03"));
            assertThat(serverLog.executions(m)).as("the refused read ran nowhere").isEmpty();
            onPrimary(run(c, "/* {m} */ INSERT INTO routing_t VALUES ({id}, 'while drained')"));
            onPrimary(run(c, "/* pgherd:primary */ /* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            drainReplicas(never, "UNDRAIN");
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
        }
    }

    @Test
    void withPrimaryReadsFallbackAReadThatNoReplicaCanTakeRunsOnThePrimary() throws Exception {
        try (ProxyFixture fallback = startProxy("  routing:\n    primary_reads: fallback\n" + EVENTUAL);
             Connection c = connect(fallback)) {
            drainReplicas(fallback, "DRAIN");
            onPrimary(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
            assertThat(routed(fallback, "primary", "no_replica")).isEqualTo(1);
            drainReplicas(fallback, "UNDRAIN");
            onOneReplica(run(c, "/* {m} */ SELECT note FROM routing_t WHERE id = 1"));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A statement that ran: its marker, its text, and the row id it was given (0: none). */
    private record Ran(String marker, String sql, int id) {
    }

    /** Runs {@code template} with a fresh marker for {m} and a fresh row id for {id}; fails with the SQL on any error. */
    private static Ran run(Connection c, String template) {
        String m = marker();
        int id = template.contains("{id}") ? ids.incrementAndGet() : 0;
        String sql = template.replace("{m}", m).replace("{id}", Integer.toString(id));
        try {
            execute(c, sql);
        } catch (SQLException e) {
            throw new AssertionError("through the proxy, " + sql + " failed: " + e.getMessage(), e);
        }
        return new Ran(m, sql, id);
    }

    /** Asserts that the primary, and no other node, ran {@code ran}. */
    private static void onPrimary(Ran ran) {
        Map<String, Integer> where = serverLog.await(ran.marker(), 1);
        assertThat(where.keySet()).as("nodes that ran %s", ran.sql()).containsExactly(primary);
    }

    /** Asserts that one node other than the primary, and no other, ran {@code ran}; returns that node. */
    private static String onOneReplica(Ran ran) {
        Map<String, Integer> where = serverLog.await(ran.marker(), 1);
        assertThat(where.keySet()).as("nodes that ran %s", ran.sql()).hasSize(1).doesNotContain(primary);
        return where.keySet().iterator().next();
    }

    private static void assertAllOnOneReplica(List<Ran> ran) {
        String node = onOneReplica(ran.get(0));
        for (Ran r : ran) {
            assertThat(onOneReplica(r)).as("the node that ran %s (the transaction began on %s)", r.sql(), node).isEqualTo(node);
        }
    }

    private static void drainReplicas(ProxyFixture fixture, String command) throws SQLException {
        for (PostgresNode follower : cluster.followers()) {
            admin(fixture, command + " " + follower.name());
        }
    }

    private static String primaryValue(String sql) throws SQLException {
        try (Connection direct = cluster.connect(cluster.primary())) {
            return value(direct, sql);
        }
    }

    private static long selects(Map<String, Map<String, String>> nodes, String... names) {
        long sum = 0;
        for (String name : names) {
            sum += Long.parseLong(nodes.get(name).get("select_count"));
        }
        return sum;
    }

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
