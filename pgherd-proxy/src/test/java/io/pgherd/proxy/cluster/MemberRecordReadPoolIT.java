package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Session;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TestDirectories;

/**
 * A proxy following a cluster in a real etcd, over a real primary and two replicas: each "agent" here
 * holds its member record under a lease of its own, as the agents do. When one replica's agent stops
 * (its lease is revoked and its record goes with it) its PostgreSQL still runs and answers, yet the
 * proxy sends it no more reads, and says why in SHOW NODES; when the record is back, reads go there
 * again.
 */
@PostgresCluster(standby = false, replicas = 2)
class MemberRecordReadPoolIT {
    private static final ClusterKeys KEYS = new ClusterKeys("it");
    private static final Duration WAIT = Duration.ofSeconds(30);

    static LocalCluster cluster;
    static EtcdServer etcd;
    static Dcs dcs;
    static final Map<String, Session> agents = new HashMap<>();
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
        etcd = EtcdServer.start(TestDirectories.create("MemberRecordReadPoolIT-etcd"));
        dcs = Dcs.connect(DcsAddress.parse(etcd.url()), Duration.ofSeconds(10));
        // The first request of a new client may outlast its timeout on a busy machine.
        Await.success("etcd takes the cluster's config", WAIT, () -> {
            dcs.put(KEYS.config(), "{\"ttl\": 5}");
            return true;
        });
        for (PostgresNode node : cluster.nodes()) {
            agentStarts(node);
        }
        dcs.createEphemeral(KEYS.leader(), cluster.primary().name(), agents.get(cluster.primary().name())).orElseThrow();
        proxy = ProxyFixture.startSplit(cluster, "  cluster:\n    dcs: " + etcd.url() + "\n    name: it\n    proxy_name: it-proxy\n");
        Await.until("the proxy confirmed the leader", WAIT, () -> proxy.proxy().writes().isOpen());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        agents.values().forEach(Session::close);
        if (dcs != null) {
            dcs.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aReplicaWhoseMemberRecordIsGoneServesNoReadsUntilTheRecordReturns() throws Exception {
        PostgresNode stopped = cluster.followers().get(0);
        PostgresNode running = cluster.followers().get(1);
        try (Connection reader = proxy.connect("postgres")) {
            Await.until("reads reach both replicas", WAIT, () -> readPorts(reader, 40)
                    .containsAll(Set.of(stopped.port(), running.port())));

            // Its agent stops: the lease is revoked, the record goes; PostgreSQL goes on running.
            agents.remove(stopped.name()).close();
            Await.until("the proxy keeps " + stopped.name() + " out of the read pool", WAIT,
                    () -> !eligible(stopped.name()));
            assertThat(whyNot(stopped.name())).isEqualTo(MemberReads.NO_RECORD);
            assertThat(stopped.isRunning()).isTrue();
            try (Connection direct = cluster.connect(stopped); Statement s = direct.createStatement();
                 ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as(stopped.name() + " still answers, as a replica").isTrue();
            }
            long selects = proxy.proxy().backends().topology().node(stopped.name()).reads();
            assertThat(readPorts(reader, 40)).as("where 40 reads went").doesNotContain(stopped.port()).contains(running.port());
            assertThat(proxy.proxy().backends().topology().node(stopped.name()).reads()).as("reads sent to " + stopped.name())
                    .isEqualTo(selects);
            assertThat(eligible(running.name())).as(running.name() + " keeps its record and its reads").isTrue();

            // The agent is back.
            agentStarts(stopped);
            Await.until("the proxy takes " + stopped.name() + " back", WAIT, () -> eligible(stopped.name()));
            Await.until("reads reach " + stopped.name() + " again", WAIT, () -> readPorts(reader, 40).contains(stopped.port()));
        }
    }

    /** What an agent does when it starts: opens its lease and writes its member record under it. */
    private static void agentStarts(PostgresNode node) {
        Session session = dcs.openSession(Duration.ofSeconds(5));
        agents.put(node.name(), session);
        boolean primary = node == cluster.primary();
        dcs.putEphemeral(KEYS.member(node.name()), "{\"name\": \"" + node.name() + "\", \"host\": \"127.0.0.1\", \"port\": "
                + node.port() + ", \"running\": true, \"inRecovery\": " + !primary + ", \"noFailover\": " + !primary + "}", session);
    }

    /** The ports of the servers that ran {@code count} reads through {@code c}. */
    private static Set<Integer> readPorts(Connection c, int count) throws SQLException {
        Set<Integer> ports = new HashSet<>();
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < count; i++) {
                try (ResultSet rs = s.executeQuery("select inet_server_port()")) {
                    rs.next();
                    ports.add(rs.getInt(1));
                }
            }
        }
        return ports;
    }

    /** SHOW NODES' eligible column for {@code node}, through the admin console. */
    private static boolean eligible(String node) throws SQLException {
        return Boolean.parseBoolean(showNodes(node, "eligible"));
    }

    private static String whyNot(String node) throws SQLException {
        return showNodes(node, "why_not");
    }

    private static String showNodes(String node, String column) throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (Connection admin = proxy.connect("postgres", proxy.superuserPassword(), "pgherd", simple);
             Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SHOW NODES")) {
            while (rs.next()) {
                if (rs.getString("node").equals(node)) {
                    return rs.getString(column);
                }
            }
        }
        throw new AssertionError("SHOW NODES lists no " + node);
    }
}
