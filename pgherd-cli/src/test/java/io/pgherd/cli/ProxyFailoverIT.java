package io.pgherd.cli;

import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * What clients of the proxy see while the primary changes, on one {@code pgherd up} cluster (ZooKeeper,
 * an agent per node, node1 primary, node2 standby, node3 read replica, the proxies) run as separate
 * processes: pgbench's TPC-B load through every proxy across planned switchovers (no failed
 * transaction, only added latency; every proxy holds, acknowledges and releases), and across
 * {@code kill -9} of the primary's postmaster (only transactions in flight fail; JDBC connections
 * through the proxy stay open, writes resume, reads never stop). Each scenario runs twice; the
 * measured figures are printed in lines starting {@code ProxyFailoverIT:}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyFailoverIT {
    private static final int ROUNDS = 2;
    private static final int CLIENTS = 8;
    private static final Duration BASELINE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");

    private Path dir;
    private String password;
    private Dcs dcs;
    private ClusterKeys keys;
    /** Every proxy: name in the DCS, port. */
    private final Map<String, Integer> proxies = new LinkedHashMap<>();
    private WitnessClients witnesses;

    @RegisterExtension
    final LogTails logsOnFailure = new LogTails(() -> dir, 2, 60, () -> "");

    @BeforeAll
    void upAndInitializePgbench() throws Exception {
        dir = TestDirectories.create("ProxyFailoverIT");
        JarCli.Result up = pgherd("up", "--dir", dir.toString(), "--replicas", "1", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()), "--proxies", "2",
                "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
        password = Files.readString(dir.resolve("superuser.password")).strip();
        JsonNode status = status();
        JsonNode listed = status.has("proxies") ? status.get("proxies") : JSON.createArrayNode().add(status.get("proxy"));
        for (JsonNode p : listed) {
            int port = p.get("port").asInt();
            proxies.put(p.has("name") ? p.get("name").asText() : "127.0.0.1:" + port, port);
        }
        dcs = Dcs.connect(status.get("dcs").asText(), Duration.ofSeconds(5));
        keys = new ClusterKeys(status.get("cluster").asText());
        pgbench(firstProxy(), "-i", "-s", "1", "-q").requireSuccess();
        witnesses = new WitnessClients("127.0.0.1", firstProxy(), password, 3);
    }

    @AfterAll
    void down() throws Exception {
        if (witnesses != null) {
            witnesses.close();
        }
        if (dcs != null) {
            dcs.close();
        }
        if (dir != null && Files.exists(dir.resolve("pgherd.json"))) {
            List<Long> processes = new ArrayList<>(postmasterPids(dir));
            JarCli.Result down = pgherd("down", "--dir", dir.toString());
            assertThat(down.exit()).as(down.toString()).isZero();
            assertNothingRunsIn(dir, processes);
        }
    }

    @Test
    @Order(1)
    void aSwitchoverUnderPgbenchLoadFailsNoTransactionOnAnyProxyAndOnlyAddsLatency() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            String leader = awaitReady();
            DcsEvents events = DcsEvents.watch(dcs, keys);
            witnesses.start();
            Map<String, CompletableFuture<ExternalCommand.Outcome>> runs = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> proxy : proxies.entrySet()) {
                Path log = dir.resolve("pgbench-switchover-" + round + "-" + proxy.getValue());
                runs.put(proxy.getKey(), background(() -> pgbench(proxy.getValue(), "-n", "-c", Integer.toString(CLIENTS),
                        "-j", "2", "-T", "12", "-P", "1", "-l", "--log-prefix=" + log)));
            }
            loadFor(BASELINE);

            long requested = System.currentTimeMillis();
            JarCli.InJvm switchover = cli("switchover", "--dir", dir.toString(), "--force");
            long done = System.currentTimeMillis();
            assertThat(switchover.exit()).as(switchover.toString()).isZero();
            String newLeader = leaderNow();
            assertThat(newLeader).as("the leader after the switchover").isNotEqualTo(leader);

            for (Map.Entry<String, CompletableFuture<ExternalCommand.Outcome>> run : runs.entrySet()) {
                ExternalCommand.Outcome outcome = run.getValue().join();
                String proxy = run.getKey();
                assertThat(outcome.exitCode()).as("pgbench through %s: %s", proxy, outcome).isZero();
                assertThat(count(FAILED, outcome)).as("failed transactions through %s: %s", proxy, outcome).isZero();
                assertThat(outcome.stdout() + outcome.stderr()).as(outcome.toString()).doesNotContain("aborted");
                PgbenchLog log = PgbenchLog.read(dir.resolve("pgbench-switchover-" + round + "-" + proxies.get(proxy)));
                assertThat(log.transactions()).as("logged transactions").hasSize((int) count(PROCESSED, outcome));
                assertThat(log.committed().stream().filter(t -> t.endMicros() > done * 1000).count())
                        .as("transactions committed through %s after the switchover (it ended within the run)", proxy)
                        .isPositive();
                List<PgbenchLog.Transaction> window = log.overlapping(requested * 1000, (done + 1000) * 1000);
                double before = PgbenchLog.quantileMillis(log.endedBefore(requested * 1000), 0.5);
                double beforeMax = PgbenchLog.quantileMillis(log.endedBefore(requested * 1000), 1.0);
                double max = PgbenchLog.quantileMillis(window, 1.0);
                System.out.printf("ProxyFailoverIT: switchover round %d %s -> %s through %s: %d transactions, 0 failed,"
                                + " 0 aborted; latency before median %.1f ms, max %.1f ms; in the switchover window max %.1f ms"
                                + " (+%.1f ms over the median); switchover command %d ms; longest gap between commits %.1f ms%n",
                        round, leader, newLeader, proxy, log.committed().size(), before, beforeMax, max, max - before,
                        done - requested, log.longestGapMicros() / 1000.0);
            }
            witnesses.stop();
            events.close();
            assertThat(WitnessClients.failures(witnesses.writes())).as("the JDBC writer's failures").isEmpty();
            assertThat(WitnessClients.failures(witnesses.reads())).as("the JDBC reader's failures").isEmpty();
            assertThat(witnesses.problemsOnEveryConnection()).as("JDBC connections through the proxy").isEmpty();
            System.out.printf("ProxyFailoverIT: switchover round %d: JDBC writer 0 failed, longest gap %d ms; reader 0 failed,"
                            + " longest gap %d ms%n", round, WitnessClients.longestGapMillis(witnesses.writes()),
                    WitnessClients.longestGapMillis(witnesses.reads()));

            // Every proxy held, acknowledged this switchover's request, and recorded its view of the promotion.
            long revision = events.failoverRevision();
            assertThat(revision).as("the failover key's revision seen in the DCS").isPositive();
            for (String proxy : proxies.keySet()) {
                assertThat(events.acks(proxy)).as("acknowledgements by %s", proxy).contains(revision);
                assertThat(events.ackedBeforeTheLeaderLeft(proxy, revision, leader))
                        .as("%s acknowledged before the old leader gave up its key: %s", proxy, events.seen).isTrue();
            }
            JsonNode entry = awaitProxyTimelines(newLeader);
            for (String proxy : proxies.keySet()) {
                JsonNode t = entry.get("proxies").get(proxy);
                assertThat(t.get("leader_epoch").asLong()).as("%s: the epoch it saw, the one the agent recorded: %s", proxy, entry)
                        .isEqualTo(entry.get("leader_epoch").asLong()).isPositive();
                assertThat(t.get("failure_seen").asLong()).as("%s: writes held (the request) before the new leader was seen: %s",
                        proxy, t).isLessThan(t.get("leader_seen").asLong());
                assertThat(t.get("writes_released").asLong()).as(t.toString()).isGreaterThanOrEqualTo(t.get("leader_seen").asLong());
                assertThat(t.get("first_write").asLong()).as(t.toString()).isGreaterThanOrEqualTo(t.get("writes_released").asLong());
                System.out.printf("ProxyFailoverIT: switchover round %d: proxy %s acknowledged revision %d; held writes %d ms,"
                                + " new leader seen after %d ms, first write after %d ms%n", round, proxy, revision,
                        t.get("writes_held_ms").asLong(), t.get("leader_seen").asLong() - t.get("failure_seen").asLong(),
                        t.get("first_write").asLong() - t.get("failure_seen").asLong());
            }
        }
        JsonNode bootstrap = JSON.readTree(dcs.get(keys.history()).orElseThrow().value()).get(0);
        assertThat(bootstrap.has("proxies")).as("a proxy timeline in the bootstrap entry (of an earlier promotion): %s", bootstrap)
                .isFalse();
    }

    @Test
    @Order(2)
    void killingThePrimaryFailsOnlyTransactionsInFlightAndKeepsEveryClientConnection() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            String leader = awaitReady();
            long postmaster = postmasterPid(leader);
            witnesses.start();
            CompletableFuture<ExternalCommand.Outcome> run = background(() -> pgbench(firstProxy(), "-n", "-c",
                    Integer.toString(CLIENTS), "-j", "2", "-T", "10", "-P", "1"));
            loadFor(BASELINE);

            long killed = System.currentTimeMillis();
            new ProcessBuilder("kill", "-9", Long.toString(postmaster)).inheritIO().start().waitFor();
            Await.until("the JDBC writer to write 20 times after the kill", Duration.ofSeconds(30),
                    () -> WitnessClients.successesSince(witnesses.writes(), killed) >= 20);
            ExternalCommand.Outcome outcome = run.join();
            witnesses.stop();

            List<WitnessClients.Outcome> writes = witnesses.writes();
            List<WitnessClients.Outcome> reads = witnesses.reads();
            WitnessClients.Gap writeGap = WitnessClients.longestGap(writes, killed);
            long readGap = WitnessClients.longestGapMillis(reads);
            List<String> aborted = outcome.stderr().lines().filter(l -> l.contains("aborted in command")).toList();
            String now = leaderNow();
            String mode = now.equals(leader) ? "restarted in place" : "failed over to " + now;
            System.out.printf("ProxyFailoverIT: kill round %d: postmaster of %s killed, %s; no JDBC write for %d ms (from %+d"
                            + " to %+d ms after the kill), %d failed writes; reads: longest gap %d ms, %d failed;"
                            + " pgbench: %d of %d clients aborted (transaction in flight), %s failed transactions%n", round,
                    leader, mode, writeGap.millis(), writeGap.fromMillis(), writeGap.toMillis(),
                    WitnessClients.failures(writes).size(), readGap, WitnessClients.failures(reads).size(), aborted.size(),
                    CLIENTS, count(FAILED, outcome));

            assertThat(outcome.exitCode()).as("pgbench: 0, or 2 when clients aborted: %s", outcome).isIn(0, 2);
            assertThat(count(FAILED, outcome)).as(outcome.toString()).isZero();
            assertThat(aborted).as("pgbench's aborted clients: only those in flight, with the proxy's error")
                    .hasSizeLessThanOrEqualTo(CLIENTS)
                    .allMatch(l -> l.contains("ERROR:  pgherd: lost the server connection to " + leader + " during the transaction"));
            assertThat(witnesses.problemsOnEveryConnection()).as("JDBC connections through the proxy").isEmpty();
            assertThat(WitnessClients.failures(writes)).as("the JDBC writer's failures (at most its statement in flight)")
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(writeGap.toMillis()).as("ms from the kill to the first write after the longest gap").isLessThan(10_000);
            assertThat(WitnessClients.failures(reads)).as("the JDBC reader's failures").isEmpty();
            assertThat(readGap).as("longest gap between the reader's successes (ms)").isLessThan(2_000);
            assertThat(witnesses.readFrom()).as("where reads ran").allMatch(r -> r.startsWith("replica:"));
        }
    }

    // ---------------------------------------------------------------- the cluster

    /**
     * Waits until the cluster has a leader, every other node streams and has replayed its last write,
     * and every proxy sends writes to the leader; returns the leader.
     */
    private String awaitReady() {
        String[] leader = new String[1];
        Await.until("a leader, every other node streaming and caught up, every proxy writing to it", Duration.ofSeconds(90),
                () -> {
                    JsonNode s = status();
                    if (!s.path("leader").isTextual()) {
                        return false;
                    }
                    leader[0] = s.get("leader").asText();
                    String lsn = query(node(s, leader[0]).get("uri").asText(), "select pg_current_wal_lsn()");
                    for (JsonNode n : s.get("nodes")) {
                        if (!n.get("name").asText().equals(leader[0]) && (!"streaming".equals(n.get("state").asText())
                                || !"t".equals(query(n.get("uri").asText(), "select pg_last_wal_replay_lsn() >= '" + lsn + "'")))) {
                            return false;
                        }
                    }
                    String port = Integer.toString(node(s, leader[0]).get("port").asInt());
                    for (int proxy : proxies.values()) {
                        if (!port.equals(query("postgresql://postgres@127.0.0.1:" + proxy + "/postgres",
                                "select inet_server_port() from (select txid_current()) t"))) {
                            return false;
                        }
                    }
                    return true;
                });
        return leader[0];
    }

    private String leaderNow() {
        return status().path("leader").asText();
    }

    private JsonNode status() {
        JarCli.InJvm status = cli("status", "--dir", dir.toString(), "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        try {
            return JSON.readTree(status.out());
        } catch (java.io.IOException e) {
            throw new AssertionError("status --json printed no JSON: " + status, e);
        }
    }

    /** The newest history entry, of {@code leader}'s promotion, once every proxy added its own timeline to it. */
    private JsonNode awaitProxyTimelines(String leader) {
        JsonNode[] found = new JsonNode[1];
        Await.until("every proxy's timeline in the history entry of " + leader + "'s promotion", Duration.ofSeconds(20), () -> {
            JsonNode history = JSON.readTree(dcs.get(keys.history()).orElseThrow().value());
            List<JsonNode> entries = StreamSupport.stream(history.spliterator(), false).toList();
            JsonNode last = entries.get(entries.size() - 1);
            if (!leader.equals(last.path("leader").asText()) || !"switchover".equals(last.path("reason").asText())) {
                return false;
            }
            found[0] = last;
            return proxies.keySet().stream().allMatch(last.path("proxies")::has);
        });
        return found[0];
    }

    private static JsonNode node(JsonNode status, String name) {
        for (JsonNode n : status.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + status);
    }

    private long postmasterPid(String node) throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve(node).resolve("data/postmaster.pid")).get(0).strip());
    }

    private int firstProxy() {
        return proxies.values().iterator().next();
    }

    /** One value from {@code sql} on {@code uri} (the superuser's password added). */
    private String query(String uri, String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "10");
        String hostPortDb = uri.substring(uri.indexOf('@') + 1);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPortDb, p);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    // ---------------------------------------------------------------- clients and commands

    /** pgbench through the proxy on {@code port}, at most 2 minutes. */
    private ExternalCommand.Outcome pgbench(int port, String... args) {
        List<String> argv = new ArrayList<>(List.of("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres"));
        argv.addAll(List.of(args));
        argv.add("postgres");
        return ExternalCommand.run(argv, Map.of("PGPASSWORD", password), Duration.ofMinutes(2));
    }

    /** Runs {@code work} on a thread of its own (not a shared pool, where two pgbench runs could queue one behind the other). */
    private static <T> CompletableFuture<T> background(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, task -> {
            Thread t = new Thread(task, "pgbench");
            t.setDaemon(true);
            t.start();
        });
    }

    private static long count(Pattern pattern, ExternalCommand.Outcome outcome) {
        Matcher m = pattern.matcher(outcome.stdout());
        if (!m.find()) {
            throw new AssertionError("pgbench printed no '" + pattern + "': " + outcome);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Lets the load run for {@code time} before the fault, for a baseline of normal latencies: a
     * duration of load, not a wait for some state.
     */
    private static void loadFor(Duration time) {
        LockSupport.parkNanos(time.toNanos());
    }

    private static JarCli.InJvm cli(String... args) {
        return JarCli.inThisJvm(args);
    }
}
