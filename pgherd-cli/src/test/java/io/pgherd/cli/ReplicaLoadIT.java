package io.pgherd.cli;

import static io.pgherd.cli.JarCli.pgherd;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Task;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.TestDirectories;

/**
 * Issue 15's proof under a read load, on one {@code pgherd up --replicas 1 --controllers 2 --detach} cluster
 * (node1 primary, node2 standby, node3 read replica, two controller processes with the local provisioner, the
 * proxy), every part a real process. {@code pgherd scale --replicas 2} adds node4; then {@code pgbench -n -S -c 8
 * -j 2} runs through the proxy (database {@value #DATABASE}) while {@code scale --replicas 4} adds node5 and node6
 * and {@code scale --replicas 1} removes node6, node5 and node4 (newest first), until after the last one is gone
 * (then the test ends it as its {@code -T} timer would, {@link #stopLoad}).
 * pgbench ends with exit 0, {@code number of failed transactions: 0}, no aborted client and a transaction committed
 * in every second of its progress report; every long read ({@code pg_sleep(5)}) started through the proxy just
 * before the scale-in completes with its row, one of them on node6 (the replica the controller removes first, found
 * running there from node6's own {@code pg_stat_activity}); the controller marked node6 draining while it ran and
 * went on only after it ended. The removed members leave no process, directory, member record, assignment or slot.
 *
 * <p><b>No member received a read before it streamed within the lag limit, proven from the servers' side.</b>
 * The servers run with {@code log_connections = on} ({@code pgherd config set}, as a user would; a new member is
 * cloned with it and logs connections from its start, which the proof checks: the setting is off by default and a
 * server that had it turned on later logs {@code parameter "log_connections" changed to "on"}; no such line comes
 * before the first read). The proxy opens a server connection to a member
 * for a client's read, so the {@code connection received} line of the first session of {@value #DATABASE} in the
 * member's own server log is the moment of its first read or just before it. For each of node4, node5 and node6:
 * <ol>
 *   <li>its WAL receiver logged {@code started streaming WAL from primary} <em>before</em> that line in the same
 *       log (the server's own order of events, not sampled times) and no error since: it was streaming at its
 *       first read; the leader's {@code pg_stat_replication} shows it {@code streaming} at its first sample
 *       after;</li>
 *   <li>its lag then was within the lag limit ({@code controller.max_lag_bytes}, the proxies'
 *       {@code max_replica_lag_bytes}): a {@link ServerSampler} polls every 100 ms the leader's
 *       {@code pg_current_wal_lsn()} and {@code pg_stat_replication} and each member's
 *       {@code pg_last_wal_replay_lsn()}; both positions only grow, so the leader's position at its first sample
 *       after the read less the member's replay position at its last sample before it bounds the lag at the read
 *       from above ({@link FirstRead#lagBound}).</li>
 * </ol>
 * The figures (when each first read came and the lag bound then, pgbench's tps and failed count, how long
 * 1 → 2, 2 → 4 and 4 → 1 took) are printed in lines starting {@code ReplicaLoadIT:}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaLoadIT {
    private static final String DATABASE = "loadbench";
    private static final int CLIENTS = 8;
    /**
     * pgbench's {@code -T}: a ceiling far above 2 → 4 → 1 on a busy 2-core machine. The load lasts as long as the
     * scaling does: the test ends it once the last replica is gone with SIGALRM, the signal pgbench's own {@code -T}
     * timer raises, so pgbench ends as at the end of {@code -T} (its summary printed, exit 0). SIGINT would kill it
     * without a summary. The rate leaves the machine the CPU to clone and start the new members.
     */
    private static final int LOAD_SECONDS = 600;
    private static final int RATE = 200;
    /** Cloning, starting and catching up on a busy 2-core machine. */
    private static final Duration TASK = Duration.ofMinutes(3);
    private static final Set<String> CREATED_BY_UP = Set.of("node1", "node2", "node3");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern PROGRESS = Pattern.compile("progress: ([0-9.]+) s, ([0-9.]+) tps");

    private Path dir;
    private Dcs dcs;
    private ClusterStore cluster;
    private ControllerStore controllers;
    private Credentials credentials;
    private int proxyPort;
    private long maxLagBytes;
    private ServerSampler sampler;
    private CompletableFuture<ExternalCommand.Outcome> load;
    private long loadStarted;
    private long loadStopped;
    private final Map<String, String> figures = new LinkedHashMap<>();

    @RegisterExtension
    final LogTails logsOnFailure = new LogTails(() -> dir, 3, 40, () -> credentials == null ? "" : showNodes());

    @BeforeAll
    void upWithTwoControllersAndABenchDatabase() throws Exception {
        dir = TestDirectories.create("ReplicaLoadIT");
        LocalUp up = LocalUp.start(dir, "--replicas", "1", "--controllers", "2");
        JsonNode status = up.status;
        dcs = up.dcs;
        cluster = up.cluster;
        controllers = up.controllers;
        credentials = up.credentials;
        proxyPort = up.proxyPort;
        // The lag limit a new replica must be within before it takes reads: the controller's and the proxies'.
        maxLagBytes = Math.min(ControllerConfig.MAX_LAG_BYTES.defaultValue(), ProxyConfig.MAX_REPLICA_LAG_BYTES.defaultValue());

        // The servers log every connection: the first one of the load's database on a new member is its first read.
        JarCli.InJvm set = JarCli.inThisJvm("config", "set", "--dir", dir.toString(), "postgresql.parameters.log_connections=on");
        assertThat(set.exit()).as(set.toString()).isZero();
        Await.until("log_connections on every node", Duration.ofSeconds(60), () -> CREATED_BY_UP.stream()
                .allMatch(n -> "on".equals(queryOr(port(n), "postgres", "SHOW log_connections", ""))));

        try (Connection c = connect(proxyPort, "postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        pgbench("-i", "-s", "1", "-q").requireSuccess();
        Await.until("the read replica count is 1 and a controller acts", Duration.ofSeconds(60),
                () -> readReplicas(cluster.read()).equals(List.of("node3")) && controllers.acting().isPresent());
        sampler = new ServerSampler(cluster, credentials, DATABASE);

        long scaled = System.currentTimeMillis();
        scale(2);
        Await.until("node4 added by a task that succeeded", TASK, () -> tasks("add_replica").stream().anyMatch(t ->
                "node4".equals(t.parameters().get("member")) && t.state() == Task.State.SUCCEEDED));
        figures.put("scale 1 -> 2 before the load (node4 added and streaming within the lag limit)",
                (System.currentTimeMillis() - scaled) + " ms");
    }

    @AfterAll
    void down() throws Exception {
        if (sampler != null) {
            sampler.close();
        }
        if (load != null && !load.isDone()) {
            stopLoad();
            load.join();
        }
        LocalUp.down(dir, dcs, List.of());
        figures.forEach((k, v) -> System.out.println("ReplicaLoadIT: " + k + ": " + v));
    }

    @Test
    @Order(1)
    void scaleOutToFourUnderTheLoadAndEveryNewMemberStreamedWithinTheLagLimitBeforeItsFirstRead()
            throws Exception {
        loadStarted = System.currentTimeMillis();
        load = background(() -> pgbench("-n", "-S", "-c", Integer.toString(CLIENTS), "-j", "2", "-R", Integer.toString(RATE),
                "-T", Integer.toString(LOAD_SECONDS), "-P", "1"));
        awaitServing("node4");

        long scaled = System.currentTimeMillis();
        scale(4);
        awaitServing("node5");
        awaitServing("node6");
        figures.put("scale 2 -> 4 under the load (node5, node6 added, streaming and serving the load's reads)",
                (System.currentTimeMillis() - scaled) + " ms");
        assertThat(readReplicas(cluster.read())).containsExactly("node3", "node4", "node5", "node6");
        for (Task t : tasks("add_replica")) {
            assertThat(t.state()).as(t.toString()).isEqualTo(Task.State.SUCCEEDED);
        }

        for (String member : List.of("node4", "node5", "node6")) {
            String log = Files.readString(dir.resolve(member).resolve("postgresql.log"));
            FirstRead first = FirstRead.in(log, DATABASE).orElseThrow(() -> new AssertionError(member
                    + "'s server log shows no session of " + DATABASE + ":\n" + tail(log)));
            assertThat(first.loggedFromStart()).as("%s had log_connections on from its start (no change of it logged"
                    + " before its first read):\n%s", member, tail(log)).isTrue();
            assertThat(first.streaming()).as("%s's WAL receiver was streaming (started before, no error since) at its first"
                    + " read, line %d; its server log says:\n%s", member, first.firstRead().number(), first.story(log))
                    .isPresent();
            OptionalLong lag = first.lagBound(member, sampler.samples(member), sampler.leaderSamples());
            assertThat(lag).as("%s: samples on both sides of its first read", member).isPresent();
            assertThat(lag.getAsLong()).as("%s's lag at its first read (bytes, an upper bound)", member)
                    .isLessThanOrEqualTo(maxLagBytes);
            ServerSampler.Sender sender = first.leaderAfter(sampler.leaderSamples()).orElseThrow().senders().get(member);
            assertThat(sender).as("the leader's pg_stat_replication row of %s after its first read", member).isNotNull();
            assertThat(sender.state()).isEqualTo("streaming");
            figures.put(member + " first read", String.format("%d ms after its WAL receiver started streaming (server log"
                    + " lines %d and %d), lag at most %d bytes (limit %d)", first.firstRead().millis()
                    - first.streaming().get().millis(), first.streaming().get().number(), first.firstRead().number(),
                    lag.getAsLong(), maxLagBytes));
        }
    }

    @Test
    @Order(2)
    void scaleInToOneLetsTheLongReadOnTheNewestReplicaFinishAndLeavesNothingOfTheRemovedOnes() throws Exception {
        Member node6 = cluster.read().members().get("node6");
        List<CompletableFuture<LongRead>> sleeps = new ArrayList<>();
        // Reads go to the least busy replica: a few at once spread over node2 … node6, so one is on node6 (if none
        // is, another few once those ended).
        Await.until("a long read to run on node6 (its pg_stat_activity)", Duration.ofSeconds(40), () -> {
            if (sampler.latest("node6").filter(s -> s.sleeping() > 0).isPresent()) {
                return true;
            }
            if (sleeps.stream().allMatch(CompletableFuture::isDone)) {
                for (int i = 0; i < 6; i++) {
                    sleeps.add(background(this::longRead));
                }
            }
            return false;
        });

        long scaled = System.currentTimeMillis();
        scale(1);
        Await.until("3 remove_replica tasks to end", TASK, () -> tasks("remove_replica").size() == 3
                && tasks("remove_replica").stream().allMatch(Task::finished));
        long done = System.currentTimeMillis();
        assertThat(load.isDone()).as("pgbench still runs when the last replica is removed").isFalse();
        figures.put("scale 4 -> 1 (node6, node5, node4 drained and removed)", (done - scaled) + " ms");

        List<LongRead> reads = sleeps.stream().map(CompletableFuture::join).toList();
        assertThat(reads).as("the long reads, each completed with its row").allSatisfy(r -> assertThat(r.port()).isPositive());
        LongRead onNode6 = reads.stream().filter(r -> r.port() == node6.port()).findFirst().orElseThrow(() ->
                new AssertionError("no long read returned node6's port " + node6.port() + ": " + reads));
        List<Task> removed = tasks("remove_replica");
        Task node6Removal = removed.stream().filter(t -> "node6".equals(t.parameters().get("member"))).findFirst().orElseThrow();
        long marked = step(node6Removal, "mark_draining").finishedMillis();
        long drained = step(node6Removal, "wait_drained").finishedMillis();
        assertThat(marked).as("node6 marked draining while its long read ran (ended %d)", onNode6.endMillis())
                .isLessThan(onNode6.endMillis());
        assertThat(drained).as("the controller waited for node6's long read to end before it went on")
                .isGreaterThanOrEqualTo(onNode6.endMillis() - 1000);
        figures.put("the long read on node6", String.format("ran %d ms after node6 was marked draining; the controller"
                + " went on %d ms after it ended", onNode6.endMillis() - marked, drained - onNode6.endMillis()));
        assertThat(removed).allSatisfy(t -> assertThat(t.state()).as(t.toString()).isEqualTo(Task.State.SUCCEEDED));
        assertThat(removed.stream().sorted(java.util.Comparator.comparingLong(Task::createdMillis))
                .map(t -> t.parameters().get("member")).toList()).as("removed newest first")
                .containsExactly("node6", "node5", "node4");

        ClusterSnapshot snapshot = cluster.read();
        assertThat(readReplicas(snapshot)).containsExactly("node3");
        for (String member : List.of("node4", "node5", "node6")) {
            assertThat(snapshot.members()).doesNotContainKey(member);
            assertThat(cluster.assignments()).doesNotContainKey(member);
            assertThat(dir.resolve(member)).doesNotExist();
            assertThat(dir.resolve("agents/" + member + ".yml")).doesNotExist();
            assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(dir.resolve(member).toString()) || c.contains("agents/" + member + ".yml")).toList())
                    .as("processes of %s", member).isEmpty();
        }
        Await.until("no replication slot of a removed member on the leader", Duration.ofSeconds(30),
                () -> queryOr(port(snapshot.leader().orElseThrow().member()), "postgres",
                        "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name IN ('node4', 'node5', 'node6')", "?")
                        .equals("0"));
        assertThat(new LocalProvisioner(new ClusterDirectory(dir), 1024, 65535).list()).isEmpty();
    }

    @Test
    @Order(3)
    void pgbenchFailedNoTransactionAndKeptEveryClient() throws Exception {
        stopLoad();
        ExternalCommand.Outcome outcome = load.join();
        String out = outcome.stdout() + outcome.stderr();
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(count(FAILED, outcome.stdout())).as(outcome.toString()).isZero();
        assertThat(out).as(outcome.toString()).doesNotContain("aborted").contains("number of clients: " + CLIENTS);
        long processed = count(PROCESSED, outcome.stdout());
        assertThat(processed).isPositive();
        // Every second from the first commit on (the first report may fall in the clients' connecting).
        List<String> idle = new ArrayList<>();
        int seconds = 0;
        boolean committed = false;
        Matcher m = PROGRESS.matcher(outcome.stderr());
        while (m.find()) {
            seconds++;
            boolean none = Double.parseDouble(m.group(2)) == 0;
            if (none && committed) {
                idle.add(m.group(1) + " s");
            }
            committed |= !none;
        }
        long ranSeconds = (loadStopped - loadStarted) / 1000;
        assertThat(seconds).as("pgbench's progress reports in the %d s it ran", ranSeconds).isGreaterThan((int) (ranSeconds / 2));
        assertThat(idle).as("seconds in which no transaction committed").isEmpty();
        Matcher tps = TPS.matcher(outcome.stdout());
        figures.put("pgbench -n -S -c 8 -j 2 -R " + RATE + " through the proxy for " + ranSeconds + " s", processed + " transactions, "
                + (tps.find() ? tps.group(1) : "?") + " tps, " + count(FAILED, outcome.stdout()) + " failed, 0 aborted clients");
        figures.put("server samples taken", Integer.toString(sampler.count()));
    }

    // ---------------------------------------------------------------- the cluster

    private void scale(int replicas) {
        JarCli.InJvm scale = JarCli.inThisJvm("scale", "--dir", dir.toString(), "--replicas", Integer.toString(replicas));
        assertThat(scale.exit()).as(scale.toString()).isZero();
    }

    /** Waits until {@code member} was added by a task that succeeded and runs reads of the load (its server says so). */
    private void awaitServing(String member) {
        Await.until(member + " added by a task that succeeded", TASK, () -> tasks("add_replica").stream().anyMatch(t ->
                member.equals(t.parameters().get("member")) && t.state() == Task.State.SUCCEEDED));
        try {
            Await.until(member + " runs reads of the load (its pg_stat_activity)", Duration.ofSeconds(30),
                    () -> sampler.latest(member).filter(s -> s.loadSessions() > 0).isPresent());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + showNodes(), e);
        }
    }

    private static Task.Step step(Task task, String name) {
        return task.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private List<Task> tasks(String type) {
        return controllers.tasks().stream().map(ControllerStore.TaskEntry::task).filter(t -> t.type().equals(type)).toList();
    }

    /** The read replicas that run and do not drain, sorted. */
    private static List<String> readReplicas(ClusterSnapshot snapshot) {
        return new ArrayList<>(new TreeSet<>(snapshot.members().values().stream()
                .filter(m -> m.noFailover() && m.running() && !m.draining()).map(Member::name).toList()));
    }

    private int port(String member) {
        return cluster.read().members().get(member).port();
    }

    /** A long read's row: the port of the server it ran on, and when it returned (ms since the epoch). */
    private record LongRead(int port, long endMillis) {
    }

    /** {@code SELECT pg_sleep(5)} through the proxy. */
    private LongRead longRead() {
        try (Connection c = connect(proxyPort, DATABASE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT inet_server_port(), pg_sleep(5)")) {
            rs.next();
            return new LongRead(rs.getInt(1), System.currentTimeMillis());
        } catch (SQLException e) {
            throw new AssertionError("a long read through the proxy failed: " + e.getMessage(), e);
        }
    }

    private String queryOr(int port, String database, String sql, String otherwise) {
        try (Connection c = connect(port, database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return otherwise;
        }
    }

    private Connection connect(int port, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.superuser());
        props.setProperty("password", credentials.superuserPassword());
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    // ---------------------------------------------------------------- pgbench

    /** pgbench through the proxy on database {@value #DATABASE}, at most LOAD_SECONDS + 2 minutes. */
    private ExternalCommand.Outcome pgbench(String... args) {
        List<String> argv = new ArrayList<>(List.of("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(proxyPort), "-U",
                credentials.superuser()));
        argv.addAll(List.of(args));
        argv.add(DATABASE);
        return ExternalCommand.run(argv, Map.of("PGPASSWORD", credentials.superuserPassword()),
                Duration.ofSeconds(LOAD_SECONDS + 120));
    }

    /**
     * Ends the load as its {@code -T} timer would: SIGALRM to pgbench (a child of this JVM), which then finishes its
     * clients' transactions, prints its summary and exits 0.
     */
    private void stopLoad() throws Exception {
        if (loadStopped != 0) {
            return;
        }
        loadStopped = System.currentTimeMillis();
        List<ProcessHandle> pgbench = ProcessHandle.current().children().filter(p -> p.info().command().orElse("")
                .endsWith("/pgbench") && p.info().commandLine().orElse("").contains(" -T " + LOAD_SECONDS)).toList();
        assertThat(pgbench).as("the load's pgbench process").hasSize(1);
        JarCli.Result alarm = JarCli.run(List.of("kill", "-ALRM", Long.toString(pgbench.get(0).pid())));
        assertThat(alarm.exit()).as(alarm.toString()).isZero();
    }

    private static long count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new AssertionError("pgbench printed no '" + pattern + "':\n" + text);
        }
        return Long.parseLong(m.group(1));
    }

    /** Runs {@code work} on a thread of its own (not a shared pool, where it could queue behind another). */
    private static <T> CompletableFuture<T> background(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, task -> {
            Thread t = new Thread(task, "ReplicaLoadIT-client");
            t.setDaemon(true);
            t.start();
        });
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The proxy's SHOW NODES (its admin console), for a failure's message. */
    private String showNodes() {
        Properties props = new Properties();
        props.setProperty("user", credentials.superuser());
        props.setProperty("password", credentials.superuserPassword());
        props.setProperty("preferQueryMode", "simple");
        StringBuilder out = new StringBuilder("the proxy's SHOW NODES:");
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxyPort + "/pgherd", props);
             Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SHOW NODES")) {
            while (rs.next()) {
                out.append("\n ");
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.append(' ').append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i));
                }
            }
        } catch (SQLException e) {
            out.append(" (").append(e.getMessage()).append(')');
        }
        return out.toString();
    }
}
