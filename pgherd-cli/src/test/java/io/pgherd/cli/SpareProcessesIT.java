package io.pgherd.cli;

import static io.pgherd.cli.JarCli.pgherd;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * Spare agents as separate processes, as a user on other hosts runs them: a {@code pgherd up --replicas 0
 * --controllers 0 --detach} cluster (node1 primary, node2 standby, a proxy); two {@code pgherd agent --config}
 * processes with {@code agent.role: spare}, each with its own directory, ports and a copy of the cluster's two
 * credential files (what a user's tooling installs on a host); a {@code pgherd controller --config} process with
 * {@code provisioner: spare} and no cluster directory, only the superuser's password file. Scaling 0 → 1 → 2
 * assigns spare1 then spare2, which clone and stream as nofailover read replicas serving reads through the proxy;
 * scaling to 0 releases both (PostgreSQL stopped, data wiped, no slot, the agents still run as spares). Then a
 * spare killed with {@code kill -9} in the middle of its clone fails its task with one clear line naming it, and
 * the controller adds the replica from the other spare; restarted, the killed one is a clean spare again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpareProcessesIT {
    /** Cloning, starting and catching up on a busy 2-core machine. */
    private static final Duration TASK = Duration.ofMinutes(2);
    private static final List<String> SPARES = List.of("spare1", "spare2");

    private Path dir;
    private Path hosts;
    private Dcs dcs;
    private ClusterStore cluster;
    private ControllerStore controllers;
    private LocalUp up;
    private int proxyPort;
    private JsonNode status;
    private final Map<String, Process> spareAgents = new HashMap<>();
    private final Map<String, Integer> sparePorts = new HashMap<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    void upTwoSparesAndAController() throws Exception {
        dir = TestDirectories.create("SpareProcessesIT");
        hosts = dir.resolve("hosts");
        LocalUp up = LocalUp.start(dir, "--replicas", "0", "--controllers", "0");
        this.up = up;
        status = up.status;
        dcs = up.dcs;
        cluster = up.cluster;
        controllers = up.controllers;
        proxyPort = up.proxyPort;
        for (String spare : SPARES) {
            sparePorts.put(spare, FreePorts.allocate());
            startSpare(spare);
        }
        for (String spare : SPARES) {
            Await.until(spare + " registers as a spare", Duration.ofMinutes(2), () -> isIdleSpare(spare));
        }
        Path controllerHost = Files.createDirectories(hosts.resolve("controller"));
        Path password = controllerHost.resolve("superuser.password");
        Files.copy(dir.resolve(Credentials.SUPERUSER_PASSWORD_FILE), password, StandardCopyOption.COPY_ATTRIBUTES);
        // A controller on another host: no cluster directory, the superuser's password file only.
        Path config = controllerHost.resolve("controller.yml");
        Files.writeString(config, String.join("\n", "controller:",
                "  cluster: " + status.get("cluster").asText(),
                "  name: c1",
                "  dcs: " + status.get("dcs").asText(),
                "  ttl: 6s",
                "  loop_wait: 500ms",
                "  dcs_timeout: 2s",
                "  provisioner: spare",
                "  superuser_password_file: " + password,
                "  stream_timeout: 2m",
                "  drain_timeout: 1m",
                "  retry_after: 10m", ""));
        processes.add(new ProcessBuilder("java", "-jar", JarCli.JAR.toString(), "controller", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(controllerHost.resolve("c1.log").toFile()).start());
        Await.until("the controller acts", Duration.ofSeconds(60), () -> controllers.acting().equals(Optional.of("c1")));
    }

    @AfterAll
    void down() throws Exception {
        List<Process> others = new ArrayList<>(processes);
        others.addAll(spareAgents.values());
        for (Process p : others) {
            p.destroy();
            p.waitFor();
        }
        // An agent that stops leaves its PostgreSQL running, as on a real host: stopped here (fast shutdown).
        for (String spare : SPARES) {
            Path pid = data(spare).resolve("postmaster.pid");
            if (Files.exists(pid)) {
                long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).strip());
                JarCli.run(List.of("kill", "-INT", Long.toString(postmaster)));
                Await.until(spare + "'s postmaster to exit", Duration.ofSeconds(30), () -> !Processes.isRunning(postmaster));
            }
        }
        LocalUp.down(dir, dcs, List.of());
    }

    @Test
    @Order(1)
    void scaleOutAssignsOneSpareThenTheOtherAndEachStreamsAndServesReads() throws Exception {
        for (int n = 1; n <= 2; n++) {
            String spare = SPARES.get(n - 1);
            JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", Integer.toString(n));
            assertThat(scale.exit()).as(scale.toString()).isZero();

            Task added = awaitTask("add_replica", n);

            assertThat(added.state()).as(added.toString()).isEqualTo(Task.State.SUCCEEDED);
            assertThat(added.parameters()).containsEntry("member", spare).containsEntry("provisioner", "spare");
            assertThat(cluster.assignments().get(spare).role()).isEqualTo(Assignment.Role.REPLICA);
            Member m = cluster.read().members().get(spare);
            assertThat(m.role()).isEqualTo("replica");
            assertThat(m.noFailover()).isTrue();
            assertThat(m.port()).isEqualTo(sparePorts.get(spare));
            assertThat(query(leaderPort(), "SELECT state FROM pg_stat_replication WHERE application_name = '" + spare + "'"))
                    .isEqualTo("streaming");
            Await.until("a read through the proxy runs on " + spare, Duration.ofSeconds(60),
                    () -> readPortThroughProxy() == sparePorts.get(spare));
        }
        assertThat(query(leaderPort(), "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM"
                + " pg_stat_replication")).isEqualTo("node2,spare1,spare2");
    }

    @Test
    @Order(2)
    void scaleInToZeroReleasesBothAndTheirAgentsWaitAsSpares() throws Exception {
        Map<String, Long> postmasters = new HashMap<>();
        for (String spare : SPARES) {
            postmasters.put(spare, Long.parseLong(Files.readAllLines(data(spare).resolve("postmaster.pid")).get(0).strip()));
        }
        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "0");
        assertThat(scale.exit()).as(scale.toString()).isZero();

        Await.until("two remove_replica tasks succeeded", TASK, () -> tasks("remove_replica").stream()
                .filter(t -> t.state() == Task.State.SUCCEEDED).count() == 2);

        assertThat(tasks("remove_replica")).extracting(t -> t.parameters().get("member"))
                .containsExactlyInAnyOrder("spare1", "spare2");
        for (String spare : SPARES) {
            Await.until(spare + " is an idle spare again", Duration.ofSeconds(60), () -> isIdleSpare(spare));
            assertThat(Processes.isRunning(postmasters.get(spare))).as(spare + "'s postmaster").isFalse();
            assertThat(data(spare)).as(spare + "'s data directory").doesNotExist();
            assertThat(spareAgents.get(spare).isAlive()).as(spare + "'s agent process").isTrue();
            assertThat(cluster.assignments().get(spare).role()).isEqualTo(Assignment.Role.SPARE);
        }
        Await.until("no replication slot of a spare on the leader", Duration.ofSeconds(30),
                () -> query(leaderPort(), "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name LIKE 'spare%'")
                        .equals("0"));
        assertThat(query(leaderPort(), "SELECT string_agg(application_name, ',') FROM pg_stat_replication"))
                .isEqualTo("node2");
    }

    @Test
    @Order(3)
    void aSpareKilledMidCloneFailsItsTaskClearlyAndTheOtherSpareIsUsed() throws Exception {
        // Enough data (about 100 MB) that the clone takes a while: long enough to kill the spare in the middle of it.
        query(leaderPort(), "CREATE TABLE filler AS SELECT g, md5(g::text) || md5((g * 7)::text) AS v FROM"
                + " generate_series(1, 800000) g; SELECT 'made'");
        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "1");
        assertThat(scale.exit()).as(scale.toString()).isZero();

        String cloning = data("spare1").toString();
        ProcessHandle basebackup = Await.success("spare1 runs pg_basebackup", Duration.ofSeconds(60),
                () -> spareAgents.get("spare1").descendants().filter(p -> p.info().commandLine().orElse("")
                        .contains("pg_basebackup") && p.info().commandLine().orElse("").contains(cloning)).findFirst()
                        .orElseThrow());
        Process agent = spareAgents.get("spare1");
        List<ProcessHandle> children = agent.descendants().toList();
        agent.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        agent.waitFor();
        Await.until("pg_basebackup killed", Duration.ofSeconds(10), () -> !basebackup.isAlive());

        Task failed = Await.success("spare1's add_replica fails", TASK, () -> tasks("add_replica").stream()
                .filter(t -> "spare1".equals(t.parameters().get("member")) && t.finished()
                        && t.state() == Task.State.FAILED).findFirst().orElseThrow());
        JarCli.Result shown = pgherd("task", "--dir", dir.toString(), failed.id());
        assertThat(shown.exit()).as(shown.toString()).isZero();
        List<String> errors = shown.stdout().lines().filter(l -> l.contains("spare1 is gone from the DCS")).toList();
        assertThat(errors).as(shown.stdout()).isNotEmpty().allSatisfy(l -> assertThat(l)
                .contains("the agent of the spare spare1 is gone from the DCS (it stopped, or its host died)")
                .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z][A-Za-z]+(Exception|Failure)"));

        Task replaced = Await.success("an add_replica of spare2 succeeds", TASK, () -> tasks("add_replica").stream()
                .filter(t -> "spare2".equals(t.parameters().get("member")) && t.state() == Task.State.SUCCEEDED
                        && t.createdMillis() > failed.createdMillis()).findFirst().orElseThrow());
        assertThat(replaced.ownerEpoch()).isEqualTo(controllers.epoch().getAsLong());
        assertThat(query(leaderPort(), "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM"
                + " pg_stat_replication")).isEqualTo("node2,spare2");
        assertThat(cluster.read().members().values().stream().filter(m -> m.noFailover() && m.running()).map(Member::name))
                .containsExactly("spare2");
        assertThat(cluster.assignments().get("spare1").role()).as("spare1's assignment, rolled back")
                .isEqualTo(Assignment.Role.SPARE);
        Await.until("a read through the proxy runs on spare2", Duration.ofSeconds(60),
                () -> readPortThroughProxy() == sparePorts.get("spare2"));

        // Restarted, the killed spare must not use its half-made copy: it is a spare again, with no data.
        startSpare("spare1");
        Await.until("spare1 is an idle spare again", Duration.ofMinutes(2), () -> isIdleSpare("spare1")
                || !spareAgents.get("spare1").isAlive() && failWith(hosts.resolve("spare1/spare1.log")));
        // Nothing of the partial copy is left (its agent deleted it on start), nor the mark of the interrupted clone.
        Await.until("spare1 holds no data", Duration.ofSeconds(30), () -> !Files.exists(data("spare1")));
        assertThat(hosts.resolve("spare1/pg").resolve(PostgresNode.CLONE_MARKER)).doesNotExist();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(cloning)).toList()).as("processes on spare1's data").isEmpty();
        Await.until("no replication slot of spare1 on the leader", Duration.ofSeconds(30), () -> query(leaderPort(),
                "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'spare1'").equals("0"));
        // The killed clone made a slot on the member it cloned from (the standby): that member drops it once it has
        // been inactive a minute (SlotRules), so no WAL is kept there for good.
        Await.until("no replication slot of spare1 on any member", Duration.ofMinutes(3), () -> {
            for (Member m : cluster.read().members().values()) {
                if (m.running() && !query(m.port(), "SELECT count(*)::text FROM pg_replication_slots"
                        + " WHERE slot_name = 'spare1'").equals("0")) {
                    return false;
                }
            }
            return true;
        });
        assertThat(tasks("add_replica").stream().filter(t -> !t.finished()).toList()).isEmpty();
        assertThat(query(leaderPort(), "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM"
                + " pg_stat_replication")).isEqualTo("node2,spare2");
    }

    /** Fails with the agent's log: it exited. */
    private static boolean failWith(Path log) throws Exception {
        throw new AssertionError("the agent exited:\n" + Files.readString(log));
    }

    /**
     * Starts the agent of {@code name} as a user's tooling does on another host: its own directory, ports and
     * configuration file, and a copy of the cluster's two credential files (the replication passfile keeps its owner,
     * the PostgreSQL server user).
     */
    private void startSpare(String name) throws Exception {
        Path host = Files.createDirectories(hosts.resolve(name));
        Path credentials = Files.createDirectories(host.resolve("credentials"));
        for (String file : List.of(Credentials.SUPERUSER_PASSWORD_FILE, Credentials.REPLICATION_PASSFILE)) {
            Files.copy(dir.resolve(file), credentials.resolve(file), StandardCopyOption.COPY_ATTRIBUTES,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Path config = host.resolve(name + ".yml");
        Files.writeString(config, String.join("\n", "agent:",
                "  cluster: " + status.get("cluster").asText(),
                "  name: " + name,
                "  dcs: " + status.get("dcs").asText(),
                "  role: spare",
                "  postgres:",
                "    dir: " + host.resolve("pg"),
                "    port: " + sparePorts.get(name),
                "    credentials_dir: " + credentials,
                "  api:",
                "    listen: 127.0.0.1:" + FreePorts.allocate(), ""));
        Process p = new ProcessBuilder("java", "-jar", JarCli.JAR.toString(), "agent", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(host.resolve(name + ".log").toFile()))
                .start();
        spareAgents.put(name, p);
    }

    private Path data(String spare) {
        return hosts.resolve(spare).resolve("pg/data");
    }

    private boolean isIdleSpare(String name) {
        Member m = cluster.read().members().get(name);
        return m != null && m.role().equals("spare") && !m.running();
    }

    private List<Task> tasks(String type) {
        return controllers.tasks().stream().map(ControllerStore.TaskEntry::task).filter(t -> t.type().equals(type)).toList();
    }

    /** The newest task of {@code type} once there are {@code count} and all ended. */
    private Task awaitTask(String type, int count) {
        Await.until(count + " " + type + " to end", TASK, () -> tasks(type).size() == count
                && tasks(type).stream().allMatch(Task::finished));
        return tasks(type).stream().max((a, b) -> Long.compare(a.createdMillis(), b.createdMillis())).orElseThrow();
    }

    private int leaderPort() {
        return up.leaderPort();
    }

    private int readPortThroughProxy() {
        return up.readPortThroughProxy();
    }

    private String query(int port, String sql) throws SQLException {
        return up.query(port, sql);
    }
}
