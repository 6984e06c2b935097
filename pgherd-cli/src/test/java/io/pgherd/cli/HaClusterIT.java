package io.pgherd.cli;

import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.psql;
import static io.pgherd.cli.JarCli.statusJson;
import static io.pgherd.cli.JarCli.statusJsonHere;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.postgres.CommandRunner;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.ServerUser;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code pgherd up} as a highly available cluster: ZooKeeper (or etcd), one agent process per node
 * and the proxy, all separate OS processes started from the jar; whole nodes lost with
 * {@code kill -9} of their agent and their postmaster together.
 */
class HaClusterIT {
    /** The agents' default leader TTL: a lost leader's key is gone after this. */
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final int ROUNDS = 3;

    private final List<Path> started = new ArrayList<>();

    @AfterEach
    void stopWhatTheTestStarted() throws Exception {
        for (Path dir : started) {
            if (Files.exists(dir.resolve("pgherd.json"))) {
                pgherd("down", "--dir", dir.toString());
            }
        }
    }

    @Test
    void aLostNodeIsReplacedWithinTheTtlAndRejoinsAsAStandby() throws Exception {
        Path dir = up("HaClusterIT-node-loss");
        JsonNode status = statusJson(dir);
        assertThat(status.get("leader").asText()).isEqualTo("node1");
        JarCli.Result list = pgherd("list", "--dir", dir.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains("cluster pgherd: leader node1").containsPattern("node2 .* standby +streaming")
                .containsPattern("node3 .* replica +streaming");
        psql(uri(status, "node1"), "create table ha_it (round int, at timestamptz default now())");

        List<Long> recoveries = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            String leader = awaitHealthy(dir);
            JsonNode before = statusJson(dir);
            psql(uri(before, leader), "insert into ha_it (round) values (" + round + ")");
            awaitReplayedEverywhere(before, leader);

            long agent = node(before, leader).get("agent").get("pid").asLong();
            long postmaster = postmasterPid(dir, leader);
            // The whole node is lost, its supervisor too (in local mode it supervises every node): a live one would
            // start the agent again at once (DetachedSupervisorIT), and this test is about a node that stays lost.
            long supervisor = Long.parseLong(Files.readString(dir.resolve("supervisor.pid")).strip());
            new ProcessBuilder("kill", "-9", Long.toString(supervisor)).inheritIO().start().waitFor();
            Await.until("the supervisor to exit", Duration.ofSeconds(10), () -> !io.pgherd.postgres.Processes.isRunning(supervisor));
            long killed = System.nanoTime();
            new ProcessBuilder("kill", "-9", Long.toString(agent), Long.toString(postmaster)).inheritIO().start().waitFor();

            String newLeader = Await.success("a write accepted by another node after " + leader + " was lost",
                    TTL.plusSeconds(30), () -> write(dir, before));
            long recovery = Await.millisSince(killed);
            recoveries.add(recovery);
            System.out.printf("HaClusterIT: round %d: node loss of %s -> %s accepted a write after %d ms%n", round, leader,
                    newLeader, recovery);
            assertThat(newLeader).as("the new primary").isNotEqualTo(leader).isNotEqualTo("node3");
            assertThat(recovery).as("failover within the TTL plus a few seconds (ms)").isLessThan(TTL.toMillis() + 10_000);
            assertThat(psql(uri(before, newLeader), "select count(*) from ha_it where round = " + round))
                    .as("the row written before the loss").isEqualTo("1");
            // The proxy follows the leader key: its writes reach the new primary without anyone touching it.
            String proxyUri = before.get("proxy").get("uri").asText();
            Await.until("a write through the proxy on " + newLeader, Duration.ofSeconds(30), () -> psql(proxyUri,
                    "with w as (insert into ha_it (round) values (0) returning inet_server_port()) select * from w")
                    .equals(Integer.toString(node(before, newLeader).get("port").asInt())));

            if (round == 1) {
                // The old primary started again by hand as a primary, behind the agents' backs: two servers take
                // writes now, but the proxy sends writes only to the member holding the leader key, and no reads
                // to a node that is not in recovery.
                int rogue = node(before, leader).get("port").asInt();
                new PostgresNode(leader, dir.resolve(leader), rogue, PgBinaries.find(Optional.empty()),
                        new CommandRunner(ServerUser.detect())).start(Duration.ofSeconds(60));
                assertThat(psql(uri(before, leader), "select pg_is_in_recovery()")).as("the rogue primary").isEqualTo("f");
                for (int i = 0; i < 20; i++) {
                    assertThat(psql(proxyUri, "with w as (insert into ha_it (round) values (0) returning inet_server_port())"
                            + " select * from w")).isNotEqualTo(Integer.toString(rogue));
                    assertThat(psql(proxyUri, "select inet_server_port()")).isNotEqualTo(Integer.toString(rogue));
                }
            }

            JarCli.Result again = pgherd("up", "--dir", dir.toString(), "--detach");
            assertThat(again.exit()).as(again.toString()).isZero();
            JsonNode after = statusJson(dir);
            assertThat(after.get("leader").asText()).isEqualTo(newLeader);
            assertThat(node(after, leader).get("role").asText()).isEqualTo("standby");
            assertThat(node(after, leader).get("state").asText()).isEqualTo("streaming");
            assertThat(psql(uri(after, leader), "select pg_is_in_recovery()")).isEqualTo("t");
        }
        System.out.println("HaClusterIT: node loss -> first write (ms): " + recoveries);

        JsonNode history = historyJson(dir);
        assertThat(history).hasSizeGreaterThanOrEqualTo(ROUNDS + 1);
        for (JsonNode event : StreamSupport.stream(history.spliterator(), false).skip(1).toList()) {
            assertThat(event.get("reason").asText()).isEqualTo("failover");
            assertThat(event.get("timeline_ms").get("key_gone").asLong()).isPositive();
            assertThat(event.get("timeline_ms").get("first_write").asLong())
                    .isGreaterThanOrEqualTo(event.get("timeline_ms").get("promoted").asLong());
        }
        List<Long> processes = processesOf(dir, statusJson(dir));
        assertThat(pgherd("down", "--dir", dir.toString()).exit()).isZero();
        assertNothingRunsIn(dir, processes);
    }

    @Test
    void aClusterOnEtcdWithTwoProxiesElectsALeaderAndSwitchesOver() throws Exception {
        Path base = TestDirectories.create("HaClusterIT-etcd");
        try (EtcdServer etcd = EtcdServer.start(base)) {
            Path dir = up("HaClusterIT-etcd-cluster", "--dcs", etcd.url(), "--cluster", "on-etcd", "--proxies", "2");
            JsonNode status = statusJson(dir);
            assertThat(status.get("dcs").asText()).isEqualTo(etcd.url());
            assertThat(status.get("leader").asText()).as(status.toString()).isEqualTo("node1");
            assertThat(dir.resolve("zookeeper.pid")).doesNotExist();
            JsonNode proxies = status.get("proxies");
            assertThat(proxies).hasSize(2);
            assertThat(proxies.get(0).get("name").asText()).isEqualTo("proxy1");
            assertThat(proxies.get(0).get("port").asInt()).isEqualTo(status.get("proxy").get("port").asInt());
            assertThat(proxies.get(1).get("name").asText()).isEqualTo("proxy2");
            assertThat(proxies.get(1).get("port").asInt()).isGreaterThan(proxies.get(0).get("port").asInt());
            assertThat(proxies.get(1).get("pid").asLong()).isNotEqualTo(proxies.get(0).get("pid").asLong());
            for (JsonNode proxy : proxies) {
                assertThat(proxy.get("running").asBoolean()).as(proxy.toString()).isTrue();
                assertThat(psql(proxy.get("uri").asText(), "select 'through ' || '" + proxy.get("name").asText() + "'"))
                        .isEqualTo("through " + proxy.get("name").asText());
            }
            assertThat(Files.readString(dir.resolve("pgherd.yml"))).contains("proxy_name: proxy1");
            assertThat(Files.readString(dir.resolve("proxies/proxy2.yml"))).contains("proxy_name: proxy2",
                    "listen: 127.0.0.1:" + proxies.get(1).get("port").asInt());
            assertThat(pgherd("status", "--dir", dir.toString()).stdout()).containsPattern("proxy1 +pooler +\\d+ +running")
                    .containsPattern("proxy2 +pooler +\\d+ +running");

            JarCli.Result switchover = pgherd("switchover", "--dir", dir.toString(), "--candidate", "node2", "--force");
            assertThat(switchover.exit()).as(switchover.toString()).isZero();
            Await.until("node2 to lead with node1 streaming from it", Duration.ofSeconds(60), () -> {
                JsonNode s = statusJsonHere(dir);
                return "node2".equals(s.path("leader").asText()) && "streaming".equals(node(s, "node1").get("state").asText());
            });
            JarCli.Result list = pgherd("list", "--dir", dir.toString());
            assertThat(list.stdout()).contains("cluster on-etcd: leader node2").containsPattern("node1 .* standby +streaming");
            String node2Port = Integer.toString(node(statusJson(dir), "node2").get("port").asInt());
            for (JsonNode proxy : proxies) {
                String proxyUri = proxy.get("uri").asText();
                Await.until(proxy.get("name").asText() + " to send writes to node2", Duration.ofSeconds(30), () -> psql(proxyUri,
                        "select pg_is_in_recovery(), inet_server_port() from (select txid_current()) t").equals("f|" + node2Port));
            }

            // A proxy that stopped is started again by the cluster's supervisor, on its port.
            long proxy2 = proxies.get(1).get("pid").asLong();
            new ProcessBuilder("kill", Long.toString(proxy2)).inheritIO().start().waitFor();
            Await.until("the supervisor to start proxy2 again", Duration.ofSeconds(60), () -> {
                long pid = Long.parseLong(Files.readString(dir.resolve("proxies/proxy2.pid")).strip());
                return pid != proxy2 && io.pgherd.postgres.Processes.isRunning(pid);
            });
            // Its pid file is written as it starts; status says running once it serves.
            Await.until("status to show proxy2 running again", Duration.ofSeconds(30),
                    () -> statusJsonHere(dir).get("proxies").get(1).get("running").asBoolean());
            JsonNode restarted = statusJson(dir).get("proxies").get(1);
            assertThat(restarted.get("running").asBoolean()).isTrue();
            assertThat(restarted.get("port").asInt()).isEqualTo(proxies.get(1).get("port").asInt());
            assertThat(psql(restarted.get("uri").asText(), "select pg_is_in_recovery(), inet_server_port() from (select"
                    + " txid_current()) t")).isEqualTo("f|" + node2Port);

            // The dynamic configuration reaches every node; a restart through the agents' APIs authenticates with
            // the local cluster's password by default.
            JarCli.Result set = pgherd("config", "set", "--dir", dir.toString(), "postgresql.parameters.work_mem=9MB");
            assertThat(set.exit()).as(set.toString()).isZero();
            for (String node : List.of("node1", "node2", "node3")) {
                String nodeUri = uri(status, node);
                Await.until("work_mem on " + node, Duration.ofSeconds(30), () -> "9MB".equals(psql(nodeUri, "show work_mem")));
            }
            // A typo is refused with a suggestion from the running PostgreSQL's own parameters, and nothing is
            // written; show prints what every agent runs with, defaults marked (issue 14).
            JarCli.Result typo = pgherd("config", "set", "--dir", dir.toString(), "postgresql.parameters.shared_bufers=1",
                    "postgresql.parameters.work_mem=lots");
            assertThat(typo.exit()).as(typo.toString()).isEqualTo(1);
            assertThat(typo.stderr()).contains("pgherd: the configuration was not changed (2 problems):",
                    "\n  postgresql.parameters.shared_bufers: unknown parameter \"shared_bufers\" in PostgreSQL 15.",
                    "; did you mean \"shared_buffers\"?", "\n  postgresql.parameters.work_mem: invalid value \"lots\"");
            JarCli.Result shown = pgherd("config", "show", "--dir", dir.toString());
            assertThat(shown.stdout()).as(shown.toString()).contains("\nloop_wait: ", "  # default", "\n    work_mem: 9MB\n")
                    .doesNotContain("shared_bufers");
            long before = postmasterPid(dir, "node3");
            JarCli.Result restart = pgherd("restart", "--dir", dir.toString(), "node3", "--force");
            assertThat(restart.exit()).as(restart.toString()).isZero();
            assertThat(postmasterPid(dir, "node3")).isNotEqualTo(before);
            assertThat(psql(uri(statusJson(dir), "node3"), "show work_mem")).isEqualTo("9MB");

            List<Long> processes = processesOf(dir, statusJson(dir));
            assertThat(pgherd("down", "--dir", dir.toString()).exit()).isZero();
            assertNothingRunsIn(dir, processes);
        }
    }

    private Path up(String prefix, String... extra) throws Exception {
        Path dir = TestDirectories.create(prefix);
        started.add(dir);
        List<String> argv = new ArrayList<>(List.of("up", "--dir", dir.toString(), "--replicas", "1", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()), "--detach"));
        argv.addAll(List.of(extra));
        JarCli.Result up = pgherd(argv.toArray(String[]::new));
        assertThat(up.exit()).as(up.toString()).isZero();
        return dir;
    }

    /** Waits until the cluster has a leader and every other node streams; returns the leader. */
    private static String awaitHealthy(Path dir) {
        String[] leader = new String[1];
        Await.until("a leader with every other node streaming", Duration.ofSeconds(60), () -> {
            JsonNode s = statusJsonHere(dir);
            if (s.path("leader").isNull() || s.path("leader").isMissingNode()) {
                return false;
            }
            leader[0] = s.get("leader").asText();
            for (JsonNode n : s.get("nodes")) {
                if (!n.get("name").asText().equals(leader[0]) && !"streaming".equals(n.get("state").asText())) {
                    return false;
                }
            }
            return true;
        });
        return leader[0];
    }

    private static void awaitReplayedEverywhere(JsonNode status, String leader) {
        Await.until("every standby to replay the leader's last write", Duration.ofSeconds(30), () -> {
            for (JsonNode n : status.get("nodes")) {
                if (!n.get("name").asText().equals(leader)
                        && !"t".equals(psql(n.get("uri").asText(), "select pg_last_wal_replay_lsn() >= '"
                        + psql(uri(status, leader), "select pg_current_wal_lsn()") + "'"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** One INSERT on whichever node takes writes (libpq-style multi-host); returns that node's name. */
    private static String write(Path dir, JsonNode status) throws SQLException, java.io.IOException {
        StringBuilder hosts = new StringBuilder();
        for (JsonNode n : status.get("nodes")) {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(n.get("port").asInt());
        }
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", Files.readString(dir.resolve("superuser.password")).strip());
        p.setProperty("targetServerType", "primary");
        p.setProperty("connectTimeout", "1");
        p.setProperty("socketTimeout", "3");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hosts + "/postgres", p);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("insert into ha_it (round) values (0) returning inet_server_port()")) {
            rs.next();
            int port = rs.getInt(1);
            for (JsonNode n : status.get("nodes")) {
                if (n.get("port").asInt() == port) {
                    return n.get("name").asText();
                }
            }
            throw new AssertionError("a write landed on port " + port + ", no node of the cluster");
        }
    }

    private static JsonNode historyJson(Path dir) throws Exception {
        JarCli.Result history = pgherd("history", "--dir", dir.toString(), "--json");
        assertThat(history.exit()).as(history.toString()).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(history.stdout());
    }

    private static JsonNode node(JsonNode status, String name) {
        for (JsonNode n : status.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + status);
    }

    private static String uri(JsonNode status, String name) {
        return node(status, name).get("uri").asText();
    }

    private static long postmasterPid(Path dir, String node) throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve(node).resolve("data/postmaster.pid")).get(0).strip());
    }

    /** Every process of the cluster: postmasters, agents, ZooKeeper and the proxy. */
    private static List<Long> processesOf(Path dir, JsonNode status) throws Exception {
        List<Long> pids = new ArrayList<>(postmasterPids(dir));
        for (JsonNode n : status.get("nodes")) {
            pids.add(n.get("agent").get("pid").asLong());
        }
        for (String file : List.of("proxy.pid", "proxies/proxy2.pid", "zookeeper.pid")) {
            if (Files.exists(dir.resolve(file))) {
                pids.add(Long.parseLong(Files.readString(dir.resolve(file)).strip()));
            }
        }
        return pids;
    }
}
