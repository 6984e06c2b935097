package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.pgherd.agent.ha.Decision;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.Await;

/**
 * A planned switchover waits for the proxies (DESIGN.md §3): the old primary takes writes until every
 * proxy record under {@code proxies/} acknowledges the {@code failover} key's revision, or until
 * {@code agent.ha.proxy_ack_timeout} ({@link AgentCluster#PROXY_ACK_TIMEOUT}) runs out. The proxies here
 * are no mock: each is a record written, as a proxy writes it, through a real DCS session of its own on
 * the cluster's real ZooKeeper; the two members run real PostgreSQL servers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchoverAcksIT {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final ClusterKeys KEYS = new ClusterKeys("test");
    private static AgentCluster cluster;
    private static Dcs proxies;
    private static Session proxySession;
    /** The failover key's revision of the first test's switchover, which no proxy acknowledged. */
    private static long unacknowledged;

    @BeforeAll
    static void start() {
        cluster = AgentCluster.start(2, 0);
        proxies = Dcs.connect(cluster.zooKeeper().address(), Duration.ofSeconds(5));
        proxySession = proxies.openSession(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (proxySession != null) {
            proxySession.close();
        }
        if (proxies != null) {
            proxies.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aProxyThatDoesNotAcknowledgeKeepsTheOldPrimaryTakingWritesUntilTheTimeout() throws Exception {
        String old = cluster.awaitHealthy(Duration.ofSeconds(120));
        String candidate = other(old);
        write(old, "create table acks_it (id serial primary key, note text)");
        proxyRecord("proxy1", 0);

        long requested = System.nanoTime();
        cluster.store().requestSwitchover(old, candidate, 0);
        unacknowledged = cluster.store().failoverRevision().orElseThrow();
        long[] lastWriteDuringSwitchover = {-1};
        int[] writes = {0};
        Await.until(candidate + " leads", CONVERGE, () -> {
            // Only writes while the old primary's agent is acting on the switchover count: that is, waiting.
            if (actingOnSwitchover(old) && tryWrite(old, "while waiting for proxy1")) {
                writes[0]++;
                lastWriteDuringSwitchover[0] = Await.millisSince(requested);
            }
            return cluster.leader().equals(Optional.of(candidate));
        });
        long handedOver = Await.millisSince(requested);
        System.out.println("switchover with a silent proxy: " + writes[0] + " writes on " + old + " while it waited, the last "
                + lastWriteDuringSwitchover[0] + " ms after the request; " + candidate + " led after " + handedOver + " ms");

        assertThat(handedOver).as("ms from the request until the candidate led").isGreaterThanOrEqualTo(
                AgentCluster.PROXY_ACK_TIMEOUT.toMillis());
        assertThat(lastWriteDuringSwitchover[0]).as("ms after the request of the last write the old primary took while"
                + " its agent acted on the switchover").isGreaterThanOrEqualTo(AgentCluster.PROXY_ACK_TIMEOUT.toMillis() - 1000);
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(candidate);
        assertThat(count(candidate, "select count(*) from acks_it where note = 'while waiting for proxy1'"))
                .as("writes the old primary took while waiting, on the new primary").isGreaterThanOrEqualTo(writes[0]);
    }

    @Test
    @Order(2)
    void aSwitchoverWithdrawnWhileTheOldPrimaryWaitsLeavesItLeadingAndTakingWrites() throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        proxyRecord("proxy1", unacknowledged);

        cluster.store().requestSwitchover(old, other(old), 0);
        Await.until(old + "'s agent acts on the switchover", CONVERGE, () -> actingOnSwitchover(old));
        long decided = System.nanoTime();
        cluster.store().clearSwitchover();
        Await.until(old + "'s agent gives the switchover up", Duration.ofSeconds(10), () -> !actingOnSwitchover(old));
        long gaveUp = Await.millisSince(decided);

        assertThat(gaveUp).as("ms from the decision until the agent gave the withdrawn switchover up (the ack timeout"
                + " would have taken " + AgentCluster.PROXY_ACK_TIMEOUT.toMillis() + ")")
                .isLessThan(AgentCluster.PROXY_ACK_TIMEOUT.toMillis());
        assertThat(tryWrite(old, "after the withdrawal")).as(old + " takes writes").isTrue();
        assertThat(cluster.leader()).contains(old);
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(old);
    }

    @Test
    @Order(3)
    void theSwitchoverGoesOnAsSoonAsEveryProxyAcknowledgesTheRequestsRevision() throws Exception {
        String old = cluster.awaitHealthy(CONVERGE);
        String candidate = other(old);
        // proxy1 still shows its acknowledgement of an earlier request, proxy2 none: neither counts.
        proxyRecord("proxy1", unacknowledged);
        proxyRecord("proxy2", 0);

        cluster.store().requestSwitchover(old, candidate, 0);
        long revision = cluster.store().failoverRevision().orElseThrow();
        assertThat(revision).isGreaterThan(unacknowledged);
        Await.until(old + "'s agent acts on the switchover", CONVERGE, () -> actingOnSwitchover(old));
        long decided = System.nanoTime();
        int[] writes = {0};
        int[] failed = {0};
        Await.until("a second of the wait passed", Duration.ofSeconds(10), () -> {
            if (tryWrite(old, "during the switchover")) {
                writes[0]++;
            } else {
                failed[0]++;
            }
            return Await.millisSince(decided) >= 1000;
        });
        assertThat(failed[0]).as("writes refused by the old primary while the proxies had not acknowledged").isZero();

        proxyRecord("proxy1", revision);
        proxyRecord("proxy2", revision);
        long acknowledged = System.nanoTime();
        Await.until(old + " stops taking writes", Duration.ofSeconds(10), () -> {
            if (tryWrite(old, "during the switchover")) {
                writes[0]++;
                return false;
            }
            return true;
        });
        long stopped = Await.millisSince(acknowledged);
        long sinceDecided = Await.millisSince(decided);
        Await.until(candidate + " leads", CONVERGE, () -> cluster.leader().equals(Optional.of(candidate)));
        System.out.println("switchover with two acknowledging proxies: " + old + " stopped taking writes " + stopped
                + " ms after the acknowledgements; " + candidate + " led " + Await.millisSince(acknowledged) + " ms after them");

        assertThat(sinceDecided).as("ms from the agent's decision until the old primary stopped taking writes (the ack"
                + " timeout would have taken " + AgentCluster.PROXY_ACK_TIMEOUT.toMillis() + ")")
                .isLessThan(AgentCluster.PROXY_ACK_TIMEOUT.toMillis());
        assertThat(cluster.awaitHealthy(CONVERGE)).isEqualTo(candidate);
        assertThat(cluster.store().history().entries().get(cluster.store().history().entries().size() - 1).reason())
                .isEqualTo("switchover");
        assertThat(count(candidate, "select count(*) from acks_it where note = 'during the switchover'"))
                .as("writes the old primary took during the switchover, all on the new primary").isGreaterThanOrEqualTo(writes[0]);
    }

    /** Writes a proxy's record as a proxy does: ephemeral, bound to the proxies' own DCS session. */
    private static void proxyRecord(String name, long ack) {
        String json = "{\"name\": \"" + name + "\", \"ack\": " + ack + ", \"held_since\": " + (ack == 0 ? 0
                : System.currentTimeMillis()) + "}";
        proxies.putEphemeral(KEYS.proxy(name), json, proxySession);
    }

    private static boolean actingOnSwitchover(String member) {
        Agent agent = cluster.member(member).agent;
        return agent != null && agent.view().decision().action() == Decision.Action.SWITCHOVER;
    }

    private static String other(String member) {
        return member.equals("node1") ? "node2" : "node1";
    }

    private static void write(String member, String sql) throws Exception {
        try (Connection c = cluster.connect(cluster.member(member)); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static boolean tryWrite(String member, String note) {
        try {
            write(member, "insert into acks_it (note) values ('" + note + "')");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static long count(String member, String sql) throws Exception {
        return Long.parseLong(cluster.query(cluster.member(member), sql).get(0));
    }
}
