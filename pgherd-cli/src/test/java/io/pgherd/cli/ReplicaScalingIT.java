package io.pgherd.cli;

import static io.pgherd.cli.JarCli.pgherd;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * The read replica count kept by a {@code pgherd controller} process (local provisioner, the cluster directory
 * of a {@code pgherd up --detach} cluster: node1 primary, node2 standby, node3 read replica, real processes):
 * {@code pgherd scale --replicas 2} makes an {@code add_replica} task that succeeds, the new member node4 streams
 * and the proxy sends it reads; {@code pgherd scale --replicas 1} makes a {@code remove_replica} task that
 * succeeds and leaves no process, data directory or replication slot of node4; {@code pgherd tasks} shows both
 * succeeded under the controller's epoch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaScalingIT {
    /** Cloning, starting and catching up on a busy 2-core machine. */
    private static final Duration TASK = Duration.ofMinutes(4);

    private Path dir;
    private Dcs dcs;
    private ClusterStore cluster;
    private ControllerStore controllers;
    private Process controller;
    private LocalUp up;
    private Credentials credentials;
    private int proxyPort;
    private int rangeFrom;
    private String configuration;
    private final List<Process> others = new ArrayList<>();

    @BeforeAll
    void upAndStartAController() throws Exception {
        dir = TestDirectories.create("ReplicaScalingIT");
        // The test runs its own controllers (with ports and timeouts of its own), so up starts none.
        LocalUp up = LocalUp.start(dir, "--replicas", "1", "--controllers", "0");
        this.up = up;
        JsonNode status = up.status;
        dcs = up.dcs;
        cluster = up.cluster;
        controllers = up.controllers;
        credentials = up.credentials;
        proxyPort = up.proxyPort;
        rangeFrom = FreePorts.allocate(4).stream().min(Integer::compare).orElseThrow();
        configuration = String.join("\n", "controller:",
                "  cluster: " + status.get("cluster").asText(),
                "  name: @NAME@",
                "  dcs: " + status.get("dcs").asText(),
                "  ttl: 6s",
                "  loop_wait: 500ms",
                "  dcs_timeout: 2s",
                "  provisioner: local",
                "  dir: " + dir,
                "  ports: " + rangeFrom + "-" + (rangeFrom + 40),
                "  stream_timeout: 4m",
                "  drain_timeout: 2m", "");
        controller = controller("c1");
        Await.until("the controller acts", Duration.ofSeconds(60), () -> controllers.acting().equals(Optional.of("c1")));
    }

    @AfterAll
    void down() throws Exception {
        LocalUp.down(dir, dcs, others);
    }

    @Test
    @Order(1)
    void scaleOutAddsAReplicaThatStreamsAndServesReadsThroughTheProxy() throws Exception {
        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "2");
        assertThat(scale.exit()).as(scale.toString()).isZero();

        Task added = awaitTask("add_replica");

        assertThat(added.state()).as(added.toString()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(added.parameters()).containsEntry("member", "node4").containsEntry("provisioner", "local")
                .containsKey("clone_from").containsKey("provision");
        assertThat(added.ownerEpoch()).isEqualTo(controllers.epoch().getAsLong());
        Member node4 = cluster.read().members().get("node4");
        assertThat(node4.noFailover()).isTrue();
        assertThat(node4.port()).isBetween(rangeFrom, rangeFrom + 40);
        assertThat(query(leaderPort(), "SELECT state FROM pg_stat_replication WHERE application_name = 'node4'"))
                .isEqualTo("streaming");
        Await.until("a read through the proxy runs on node4", Duration.ofSeconds(60), () -> readPortThroughProxy() == node4.port());
    }

    @Test
    @Order(2)
    void scaleInRemovesItWithoutATraceAndTasksShowsBothUnderTheControllersEpoch() throws Exception {
        long node4Postmaster = Long.parseLong(Files.readAllLines(dir.resolve("node4/data/postmaster.pid")).get(0).strip());
        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "1");
        assertThat(scale.exit()).as(scale.toString()).isZero();

        Task removed = awaitTask("remove_replica");

        assertThat(removed.state()).as(removed.toString()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(removed.parameters()).containsEntry("member", "node4");
        assertThat(Processes.isRunning(node4Postmaster)).as("node4's postmaster").isFalse();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(dir.resolve("node4").toString()) || c.contains("agents/node4.yml")).toList()).isEmpty();
        assertThat(dir.resolve("node4")).doesNotExist();
        assertThat(dir.resolve("agents/node4.yml")).doesNotExist();
        assertThat(cluster.read().members()).doesNotContainKey("node4");
        assertThat(cluster.assignments()).doesNotContainKey("node4");
        assertThat(removed.parameters().get("drop_slot")).isEqualTo("dropped the replication slot of node4");
        // The leader's agent must not make it again for a member the controller drained and removed (it keeps the
        // slots of members gone for less than slot_retention otherwise).
        Await.until("no replication slot of node4 on the leader", Duration.ofSeconds(30),
                () -> query(leaderPort(), "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'node4'").equals("0"));

        long epoch = controllers.epoch().getAsLong();
        JarCli.Result tasks = pgherd("tasks", "--dir", dir.toString());
        assertThat(tasks.exit()).as(tasks.toString()).isZero();
        List<String> rows = tasks.stdout().lines().filter(l -> l.contains("_replica-")).toList();
        assertThat(rows).as(tasks.stdout()).hasSize(2)
                .anySatisfy(r -> assertThat(r).contains("add_replica", "succeeded", "100%", "c1", " " + epoch + " "))
                .anySatisfy(r -> assertThat(r).contains("remove_replica", "succeeded", "100%", "c1", " " + epoch + " "));
        Await.until("the controller sees 1 read replica, as the spec wants", Duration.ofSeconds(30),
                () -> Files.readString(dir.resolve("c1.log")).contains("1 read replica run, as the spec wants"));
        assertThat(query(leaderPort(), "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'node4'"))
                .as("node4's replication slot, still none at the end").isEqualTo("0");
    }

    @Test
    @Order(3)
    void aSecondControllerFinishesTheAddReplicaOfOneKilledMidTask() throws Exception {
        Process second = controller("c2");
        Await.until("c2 stands by", Duration.ofSeconds(60),
                () -> Files.readString(dir.resolve("c2.log")).contains("controller c2: controller c1 acts"));
        long firstEpoch = controllers.epoch().getAsLong();
        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "2");
        assertThat(scale.exit()).as(scale.toString()).isZero();
        Await.until("c1 runs an add_replica of node5 past its first step", Duration.ofSeconds(60), () -> addOf("node5")
                .filter(t -> t.state() == Task.State.RUNNING && t.steps().get(0).state() == Task.State.SUCCEEDED).isPresent());

        controller.destroyForcibly().waitFor();
        Task done = Await.success("c2 to finish the task", TASK, () -> addOf("node5").filter(Task::finished).orElseThrow());

        assertThat(done.state()).as(done.toString()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(done.owner()).isEqualTo("c2");
        assertThat(done.ownerEpoch()).isGreaterThan(firstEpoch).isEqualTo(controllers.epoch().getAsLong());
        assertThat(Files.readString(dir.resolve("c2.log"))).contains("taking over from controller c1 (epoch " + firstEpoch + ")");
        var members = cluster.read().members();
        assertThat(members.values().stream().filter(m -> m.noFailover() && !m.draining()).map(Member::name).toList())
                .as("read replicas").containsExactlyInAnyOrder("node3", "node5");
        assertThat(query(leaderPort(), "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM"
                + " pg_stat_replication")).isEqualTo("node2,node3,node5");
        assertThat(new LocalProvisioner(new ClusterDirectory(dir), 1024, 65535).list()).containsExactly("node5");
        second.destroy();
        second.waitFor();
    }

    private Optional<Task> addOf(String member) {
        return controllers.tasks().stream().map(ControllerStore.TaskEntry::task)
                .filter(t -> t.type().equals("add_replica") && member.equals(t.parameters().get("member"))).findFirst();
    }

    /** The one task of {@code type}, once it ended. */
    private Task awaitTask(String type) {
        Await.until(type + " to end", TASK, () -> controllers.tasks().stream().map(ControllerStore.TaskEntry::task)
                .anyMatch(t -> t.type().equals(type) && t.finished()));
        List<Task> all = controllers.tasks().stream().map(ControllerStore.TaskEntry::task).filter(t -> t.type().equals(type))
                .toList();
        assertThat(all).as("tasks of type " + type).hasSize(1);
        return all.get(0);
    }

    /** Starts controller {@code name} of the built jar, its output in {@code DIR/<name>.log}. */
    private Process controller(String name) throws Exception {
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, configuration.replace("@NAME@", name));
        Process p = new ProcessBuilder("java", "-jar", JarCli.JAR.toString(), "controller", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        others.add(p);
        return p;
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

    private Connection connect(int port) throws SQLException {
        return up.connect(port);
    }
}
