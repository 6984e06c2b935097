package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Session;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TestDirectories;

/**
 * A proxy following a cluster in a real ZooKeeper, over real PostgreSQL servers. The test plays the
 * agents' part in the DCS (leader key, member records, the failover key, the history) and does to
 * PostgreSQL what they would (kill, restart, stop, promote), so each step of the proxy's side can be
 * seen on its own: writes held while nobody leads and sent to the leader under its new epoch, the
 * hold timeout, a primary crash, the DCS unreachable, a switchover acknowledged only once the
 * transactions in flight are done.
 */
@PostgresCluster(standby = true, replicas = 1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFollowIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClusterKeys KEYS = new ClusterKeys("it");
    private static final String NAME = "it-proxy";
    private static final Duration WAIT = Duration.ofSeconds(30);

    static LocalCluster cluster;
    static EmbeddedZooKeeper zooKeeper;
    static Dcs dcs;
    static Session agents;
    static ProxyFixture proxy;
    static ExecutorService clients = Executors.newCachedThreadPool();
    static Path authPassword;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException, IOException {
        cluster = c;
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("ClusterFollowIT-zk"), FreePorts.allocate(), Duration.ofMillis(500));
        dcs = Dcs.connect(zooKeeper.address(), Duration.ofSeconds(5));
        agents = dcs.openSession(Duration.ofSeconds(10));
        dcs.put(KEYS.config(), "{\"ttl\": 3}");
        for (PostgresNode node : cluster.nodes()) {
            member(node, node == cluster.primary());
        }
        lead(cluster.primary());
        try (Connection direct = cluster.connect(cluster.primary()); Statement s = direct.createStatement()) {
            s.execute("create table writes (id bigserial primary key, port int not null default inet_server_port())");
        }
        proxy = ProxyFixture.startSplit(cluster, clusterYaml("20s"));
        // Roles missing from the auth file are looked up with auth_query, as the superuser.
        authPassword = TestDirectories.create("ClusterFollowIT-auth").resolve("auth_user.password");
        Files.writeString(authPassword, cluster.credentials().superuserPassword() + "\n");
        proxy.writeConfig(clusterYaml("20s"));
        proxy.proxy().reload();
        Await.until("the proxy confirmed the leader", WAIT, () -> proxy.proxy().writes().isOpen());
    }

    private static String clusterYaml(String holdTimeout) {
        String auth = proxy == null ? "" : "  auth:\n    file: " + proxy.authFile() + "\n    user: postgres\n    password_file: "
                + authPassword + "\n";
        return "  cluster:\n    dcs: zookeeper://127.0.0.1:" + zooKeeper.port() + "\n    name: it\n    proxy_name: " + NAME
                + "\n    hold_timeout: " + holdTimeout + "\n    drain_timeout: 20s\n" + auth;
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
        if (dcs != null) {
            agents.close();
            dcs.close();
        }
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    /**
     * A client that ends its own backend, and an operator ending another client's, each end one
     * server connection of the primary with FATAL 57P01, as a shutdown would; the primary is fine, so
     * nobody's writes are held, and the self-terminating statement is not run again.
     */
    @Test
    @Order(0)
    void oneTerminatedBackendHoldsNobodysWrites() throws Exception {
        long closings = proxy.proxy().writes().closings();
        long holds = proxy.proxy().stats().writeHolds.sum();
        long replays = proxy.proxy().stats().serverReplays.sum();
        try (Connection writer = proxy.connect("postgres"); Connection inTransaction = proxy.connect("postgres");
             Connection direct = cluster.connect(cluster.primary())) {
            for (int i = 0; i < 3; i++) {
                try (Connection c = proxy.connect("postgres"); Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.execute("select pg_terminate_backend(pg_backend_pid())"))
                            .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"));
                    assertThat(c.isValid(5)).as("the client's connection is closed, as PostgreSQL would").isFalse();
                }
                assertThat(insert(writer)).isPositive();
            }
            inTransaction.setAutoCommit(false);
            insert(inTransaction);
            int pid;
            try (Statement s = inTransaction.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            try (Statement s = direct.createStatement()) {
                s.execute("select pg_terminate_backend(" + pid + ")");
                Await.until("backend " + pid + " to exit", WAIT, () -> {
                    try (ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where pid = " + pid)) {
                        rs.next();
                        return rs.getInt(1) == 0;
                    }
                });
            }
            assertThatThrownBy(() -> insert(inTransaction)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("08006"));
            inTransaction.rollback();
            assertThat(insert(writer)).isPositive();
        }
        assertThat(proxy.proxy().writes().closings()).as("times writes were held").isEqualTo(closings);
        assertThat(proxy.proxy().stats().writeHolds.sum()).as("writes held").isEqualTo(holds);
        assertThat(proxy.proxy().stats().serverReplays.sum()).as("statements run again").isEqualTo(replays);
    }

    @Test
    @Order(1)
    void writesWaitWhileNobodyLeadsAndGoToTheLeaderUnderItsNewEpochWhileReadsGoOn() throws Exception {
        try (Connection writer = proxy.connect("postgres"); Connection reader = proxy.connect("postgres")) {
            int before = insertPid(writer);
            // A database's first reads go to the primary until the proxy has read its function catalog.
            Await.until("the reader reads from a replica", WAIT, () -> readsFromAReplica(reader));
            dcs.delete(KEYS.leader());
            Await.until("writes held", WAIT, () -> !proxy.proxy().writes().isOpen());
            long holds = proxy.proxy().stats().writeHolds.sum();
            Future<Integer> held = clients.submit(() -> insertPid(writer));
            Await.until("the insert is held", WAIT, () -> proxy.proxy().stats().writeHolds.sum() > holds);
            assertThat(held.isDone()).isFalse();
            assertThat(count(reader)).as("reads go on from the replicas").isPositive();
            assertThat(held.isDone()).isFalse();

            // A member whose record says draining takes no new reads, until its record stops saying so.
            PostgresNode replica = cluster.followers().get(1);
            dcs.putEphemeral(KEYS.member(replica.name()), record(replica, false).replace("}", ", \"draining\": true}"), agents);
            Await.until("the proxy drains " + replica.name(), WAIT, () -> proxy.proxy().backends().topology().node(replica.name()).draining());
            for (int i = 0; i < 20; i++) {
                assertThat(readPort(reader)).as("a read while " + replica.name() + " drains").isNotEqualTo(replica.port());
            }
            member(replica, false);
            Await.until("the proxy undrains " + replica.name(), WAIT, () -> !proxy.proxy().backends().topology().node(replica.name()).draining());

            // The same member's earlier promotion, of another epoch: this one's timeline must not go there.
            String earlier = "{\"leader\": \"" + cluster.primary().name() + "\", \"timeline\": 1, \"leader_epoch\": 1}";
            dcs.put(KEYS.history(), "[" + earlier + "]");
            long epoch = lead(cluster.primary());
            int after = held.get(30, TimeUnit.SECONDS);
            assertThat(after).as("a server connection opened under the old epoch is not used for writes").isNotEqualTo(before);
            // The agent appends its entry after its own first write, which may well come after the proxy's; appended
            // as the agent does (compare-and-set), so whatever the proxy wrote into the earlier entry stays to be seen.
            String entry = "{\"leader\": \"" + cluster.primary().name() + "\", \"timeline\": 1, \"leader_epoch\": " + epoch + "}";
            Await.until("the promotion's entry appended", WAIT, () -> {
                Entry history = dcs.get(KEYS.history()).orElseThrow();
                String list = history.value().strip();
                return dcs.compareAndSet(KEYS.history(), history.modRevision(),
                        list.substring(0, list.length() - 1) + ", " + entry + "]");
            });
            Await.until("the proxy's timeline is in the promotion's history entry", WAIT, () ->
                    history().path(1).path("proxies").path(NAME).path("first_write").asLong() > 0);
            assertThat(history().get(0).has("proxies")).as("the earlier promotion's entry").isFalse();
            JsonNode mine = history().get(1).get("proxies").get(NAME);
            assertThat(mine.get("leader_epoch").asLong()).isEqualTo(epoch);
            assertThat(mine.get("failure_seen").asLong()).isPositive().isLessThanOrEqualTo(mine.get("leader_seen").asLong());
            assertThat(mine.get("leader_seen").asLong()).isLessThanOrEqualTo(mine.get("writes_released").asLong());
            assertThat(mine.get("writes_released").asLong()).isLessThanOrEqualTo(mine.get("first_write").asLong());
        }
    }

    @Test
    @Order(2)
    void aWriteHeldLongerThanTheHoldTimeoutFailsWith57P03AndItsConnectionStays() throws Exception {
        proxy.writeConfig(clusterYaml("1s"));
        proxy.proxy().reload();
        try (Connection writer = proxy.connect("postgres")) {
            dcs.delete(KEYS.leader());
            Await.until("writes held", WAIT, () -> !proxy.proxy().writes().isOpen());
            assertThatThrownBy(() -> insert(writer)).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("57P03");
                assertThat(e.getMessage()).contains("no writable primary within proxy.cluster.hold_timeout (1000 ms)")
                        .contains("the cluster has no leader");
            });
            lead(cluster.primary());
            Await.until("writes released", WAIT, () -> proxy.proxy().writes().isOpen());
            assertThat(insert(writer)).as("the same connection writes again").isPositive();
        } finally {
            proxy.writeConfig(clusterYaml("20s"));
            proxy.proxy().reload();
        }
    }

    @Test
    @Order(3)
    void aPrimaryCrashFailsOnlyTheTransactionInFlightAndHoldsNewWritesUntilItRunsAgain() throws Exception {
        PostgresNode primary = cluster.primary();
        // A role that neither the auth file nor any pool of the proxy knows yet.
        try (Connection direct = cluster.connect(primary); Statement s = direct.createStatement()) {
            s.execute("create role late_login login password 'late secret'");
        }
        for (PostgresNode follower : cluster.followers()) {
            Await.until(follower.name() + " has the new role", WAIT, () -> {
                try (Connection c = cluster.connect(follower); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from pg_roles where rolname = 'late_login'")) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            });
        }
        try (Connection inFlight = proxy.connect("postgres"); Connection writer = proxy.connect("postgres");
             Connection idle = proxy.connect("postgres")) {
            insert(idle);
            inFlight.setAutoCommit(false);
            insert(inFlight);
            long postmaster = primary.postmasterPid().orElseThrow();
            new ProcessBuilder("kill", "-9", Long.toString(postmaster)).inheritIO().start().waitFor();
            Await.until("the primary is gone", WAIT, () -> !primary.isRunning());

            long holds = proxy.proxy().stats().writeHolds.sum();
            Future<Integer> held = clients.submit(() -> insert(writer));
            Await.until("the insert is held", WAIT, () -> proxy.proxy().stats().writeHolds.sum() > holds);
            assertThat(proxy.proxy().writes().isOpen()).isFalse();
            // That role logs in while the primary is down: auth_query and the session's parameters come from a
            // replica, the proxy still says it takes writes, and reads work.
            try (Connection late = proxy.connect("late_login", "late secret", "postgres", new Properties());
                 Statement s = late.createStatement();
                 ResultSet rs = s.executeQuery("select current_user, current_setting('port')::int")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("late_login");
                assertThat(rs.getInt(2)).as("a read on a replica").isNotEqualTo(primary.port());
                assertThat(late.unwrap(org.postgresql.PGConnection.class).getParameterStatus("in_hot_standby"))
                        .isEqualTo("off");
            }

            // Its backends may outlive it for a moment; start it as an agent would, again until it runs.
            Await.success("the primary starts again", WAIT, () -> {
                primary.start(Duration.ofSeconds(30));
                return true;
            });
            assertThat(held.get(30, TimeUnit.SECONDS)).isPositive();
            assertThatThrownBy(inFlight::commit).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("08006"));
            inFlight.rollback();
            insert(inFlight);
            inFlight.commit();
            assertThat(insert(idle)).as("an idle client connection stays open across the crash").isPositive();
        }
    }

    @Test
    @Order(4)
    void aProxyCutOffFromTheDcsLongerThanTheTtlHoldsWritesButNotReads() throws Exception {
        try (Connection writer = proxy.connect("postgres"); Connection reader = proxy.connect("postgres")) {
            insert(writer);
            zooKeeper.stop();
            try {
                Await.until("writes held after the TTL (3 s)", WAIT, () -> proxy.proxy().writes().heldFor(WriteGate.Reason.DCS_UNREACHABLE));
                long holds = proxy.proxy().stats().writeHolds.sum();
                Future<Integer> held = clients.submit(() -> insert(writer));
                Await.until("the insert is held", WAIT, () -> proxy.proxy().stats().writeHolds.sum() > holds);
                assertThat(count(reader)).as("reads go on").isPositive();
                assertThat(held.isDone()).isFalse();
                zooKeeper.start();
                Await.success("the DCS answers", WAIT, () -> dcs.get(KEYS.config()).isPresent());
                if (dcs.get(KEYS.leader()).isEmpty() || agents.state() != Session.State.ALIVE) {
                    // The agents' session did not survive the outage: lead again, as an agent would.
                    agents = dcs.openSession(Duration.ofSeconds(10));
                    for (PostgresNode node : cluster.nodes()) {
                        member(node, node == cluster.primary());
                    }
                    lead(cluster.primary());
                }
                assertThat(held.get(30, TimeUnit.SECONDS)).isPositive();
            } finally {
                zooKeeper.start();
            }
            Await.until("writes flow", WAIT, () -> proxy.proxy().writes().isOpen());
        }
    }

    @Test
    @Order(5)
    void aSwitchoverTheAgentsDoNotCarryOutReleasesTheHeldWritesToTheLeaderAfterHalfTheHoldTimeout() throws Exception {
        proxy.writeConfig(clusterYaml("4s"));
        proxy.proxy().reload();
        try (Connection writer = proxy.connect("postgres")) {
            dcs.put(KEYS.failover(), "{\"from\": \"" + cluster.primary().name() + "\", \"to\": \"\", \"not_before\": 0}");
            Await.until("writes held for the switchover", WAIT, () -> proxy.proxy().writes().heldFor(WriteGate.Reason.SWITCHOVER));
            assertThat(insert(writer)).as("held, then sent to the leader, which still leads").isEqualTo(cluster.primary().port());
            assertThat(proxy.proxy().writes().isOpen()).isTrue();
            assertThat(insert(writer)).as("the same request holds nothing again").isEqualTo(cluster.primary().port());
        } finally {
            dcs.delete(KEYS.failover());
            proxy.writeConfig(clusterYaml("20s"));
            proxy.proxy().reload();
        }
    }

    @Test
    @Order(6)
    void aSwitchoverIsAcknowledgedOnlyAfterTheTransactionsInFlightAndHeldWritesGoToTheNewPrimary() throws Exception {
        PostgresNode oldPrimary = cluster.primary();
        PostgresNode candidate = cluster.followers().get(0);
        try (Connection inFlight = proxy.connect("postgres"); Connection writer = proxy.connect("postgres")) {
            inFlight.setAutoCommit(false);
            insert(inFlight);
            dcs.put(KEYS.failover(), "{\"from\": \"" + oldPrimary.name() + "\", \"to\": \"" + candidate.name() + "\", \"not_before\": 0}");
            long revision = dcs.get(KEYS.failover()).orElseThrow().modRevision();
            Await.until("writes held for the switchover", WAIT, () -> proxy.proxy().writes().heldFor(WriteGate.Reason.SWITCHOVER));
            long holds = proxy.proxy().stats().writeHolds.sum();
            Future<Integer> held = clients.submit(() -> insert(writer));
            Await.until("the insert is held", WAIT, () -> proxy.proxy().stats().writeHolds.sum() > holds);
            Await.until("the proxy is registered", WAIT, () -> dcs.get(KEYS.proxy(NAME)).isPresent());
            assertThat(ack()).as("not acknowledged while a transaction runs on the primary").isNotEqualTo(revision);

            inFlight.commit();
            Await.until("acknowledged once it committed", WAIT, () -> ack() == revision);
            assertThat(held.isDone()).isFalse();

            // What the agents do: the old primary shuts down, the candidate promotes and takes the key.
            dcs.delete(KEYS.leader());
            oldPrimary.stop(Duration.ofSeconds(60));
            candidate.promote(Duration.ofSeconds(60));
            member(oldPrimary, false);
            member(candidate, true);
            dcs.put(KEYS.history(), "[{\"leader\": \"" + candidate.name() + "\", \"timeline\": 2}]");
            lead(candidate);
            dcs.delete(KEYS.failover());

            assertThat(held.get(30, TimeUnit.SECONDS)).as("the held write ran on the new primary").isEqualTo(candidate.port());
            assertThat(insert(inFlight)).isEqualTo(candidate.port());
            inFlight.commit();
            Await.until("the proxy's timeline is in the promotion's history entry", WAIT, () ->
                    history().path(0).path("proxies").path(NAME).path("writes_held_ms").asLong(-1) >= 0);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Inserts a row through {@code c}; returns the port of the server that took it. */
    private static int insert(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("insert into writes default values returning port")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Inserts a row through {@code c}; returns the process id of the server backend that took it. */
    private static int insertPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("insert into writes default values returning pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean readsFromAReplica(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) + 1 from writes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void member(PostgresNode node, boolean primary) {
        dcs.putEphemeral(KEYS.member(node.name()), record(node, primary), agents);
    }

    private static String record(PostgresNode node, boolean primary) {
        return "{\"name\": \"" + node.name() + "\", \"host\": \"127.0.0.1\", \"port\": " + node.port()
                + ", \"running\": true, \"inRecovery\": " + !primary + ", \"noFailover\": "
                + (cluster.role(node).label().equals("replica")) + "}";
    }

    private static int readPort(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_setting('port')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Gives {@code node} the leader key, as its agent would; returns the key's epoch. */
    private static long lead(PostgresNode node) {
        dcs.delete(KEYS.leader());
        return dcs.createEphemeral(KEYS.leader(), node.name(), agents).orElseThrow().createRevision();
    }

    private static long ack() {
        return dcs.get(KEYS.proxy(NAME)).map(Entry::value).map(ClusterFollowIT::tree).map(n -> n.path("ack").asLong()).orElse(0L);
    }

    private static JsonNode history() {
        return dcs.get(KEYS.history()).map(Entry::value).map(ClusterFollowIT::tree).orElseThrow();
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
