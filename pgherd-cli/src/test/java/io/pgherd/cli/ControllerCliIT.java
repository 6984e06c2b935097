package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;

/**
 * {@code pgherd controller} as processes of the built jar on a real etcd: one acts, the other takes over
 * within the TTL after {@code kill -9} of the first; and {@code pgherd tasks}, {@code task ID},
 * {@code task cancel ID} on tasks a controller wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControllerCliIT {
    private static final Duration TTL = Duration.ofSeconds(4);
    /** A JVM start on a busy machine, on top of a TTL. */
    private static final Duration STARTED = Duration.ofSeconds(60);

    private ControllerProcesses controllers;
    private EtcdServer etcd;
    private Path dir;
    private Dcs dcs;

    @BeforeAll
    void startEtcd() {
        controllers = ControllerProcesses.start("ControllerCliIT", TTL);
        etcd = controllers.etcd();
        dir = controllers.dir();
        dcs = controllers.dcs();
    }

    @AfterEach
    void killControllers() {
        controllers.killAll();
    }

    @AfterAll
    void stopEtcd() {
        if (controllers != null) {
            controllers.close();
        }
    }

    @Test
    void oneControllerActsAndTheOtherTakesOverWithinTheTtlAfterKillMinus9() throws Exception {
        ControllerStore store = new ControllerStore(new ClusterStore(dcs, "ctl"));
        Process first = controller("ctl", "c1");
        Await.until("c1 acts", STARTED, () -> store.acting().equals(Optional.of("c1")));
        long firstEpoch = store.epoch().getAsLong();
        controller("ctl", "c2");
        Await.until("c2 stands by", STARTED, () -> log("c2").contains("controller c2: controller c1 acts (epoch " + firstEpoch
                + "): standing by"));

        first.destroyForcibly().waitFor();
        long killedAt = System.nanoTime();
        Await.until("c2 takes over", TTL.plus(Duration.ofSeconds(10)), () -> store.acting().equals(Optional.of("c2")));
        long tookOver = Await.millisSince(killedAt);
        System.out.println("c2 took over " + tookOver + " ms after kill -9 of c1 (ttl " + TTL.toMillis() + " ms)");

        assertThat(store.epoch().getAsLong()).isGreaterThan(firstEpoch);
        Await.until("c2 logs it", Duration.ofSeconds(10), () -> log("c2").contains("controller c2: took the controller key:"
                + " acting as controller (epoch " + store.epoch().getAsLong()));
    }

    @Test
    void aStoppedControllerGivesTheKeyUpAtOnce() throws Exception {
        ControllerStore store = new ControllerStore(new ClusterStore(dcs, "ctl-stop"));
        Process only = controller("ctl-stop", "c1");
        Await.until("c1 acts", STARTED, () -> store.acting().isPresent());

        only.destroy();
        assertThat(only.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long stoppedAt = System.nanoTime();
        Await.until("the key is gone", TTL.plus(Duration.ofSeconds(5)), () -> store.acting().isEmpty());
        assertThat(Await.millisSince(stoppedAt)).as("ms after SIGTERM").isLessThan(TTL.toMillis());
    }

    @Test
    void aControllerWithABadConfigurationIsRefusedListingEveryProblem() throws Exception {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "controller:\n  cluster: \"no spaces\"\n  ttl: 3s\n  dcs_timeout: 2s\n");

        JarCli.InJvm run = JarCli.inThisJvm("controller", "--config", bad.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("pgherd: invalid configuration in " + bad + " (4 problems):")
                .contains("controller.cluster: ", "controller.name: must be set", "controller.dcs: must be set",
                        "controller: loop_wait + 2 * dcs_timeout must be <= ttl")
                .doesNotContain("Exception");
    }

    @Test
    void tasksTaskAndCancelShowAndCancelTheControllersTasks() throws Exception {
        ClusterStore cluster = new ClusterStore(dcs, "ctl-tasks");
        ControllerStore store = new ControllerStore(cluster);
        Session session = dcs.openSession(TTL);
        Fence fence = store.acquire("c1", session).orElseThrow();
        Task running = TaskTableTest.running().withOwner("c1", fence.epoch(), 1);
        Task failed = TaskTableTest.rolledBack().withOwner("c1", fence.epoch(), 1);
        assertThat(store.create(running, fence)).isTrue();
        assertThat(store.create(failed, fence)).isTrue();
        String[] where = {"--dcs", etcd.url(), "--cluster", "ctl-tasks"};

        JarCli.InJvm tasks = JarCli.inThisJvm(args("tasks", where));
        assertThat(tasks.exit()).as(tasks.err()).isZero();
        assertThat(tasks.out()).startsWith("ID               TYPE         STATE    PROGRESS  STEP       OWNER  EPOCH  UPDATED\n")
                .contains("add_replica-7-1  add_replica  running  33%       2/3 start  c1     " + fence.epoch())
                .contains("add_replica-7-2  add_replica  failed");

        JsonNode json = new ObjectMapper().readTree(JarCli.inThisJvm(args("tasks", where, "--json")).out());
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(0).get("owner_epoch").asLong()).isEqualTo(fence.epoch());

        JarCli.InJvm one = JarCli.inThisJvm(args("task", where, "add_replica-7-2"));
        assertThat(one.exit()).isZero();
        assertThat(one.out()).contains("error: step 2 'start' failed: pg_ctl start: exit 1", "owner: c1 (epoch " + fence.epoch() + ")");

        JarCli.InJvm unknown = JarCli.inThisJvm(args("task", where, "nope"));
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("pgherd: no task nope in cluster ctl-tasks ('pgherd tasks' lists them)\n");

        JarCli.InJvm cancel = JarCli.inThisJvm(args("task", new String[] {"cancel"}, "add_replica-7-1", where));
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.out()).startsWith("cancel of task add_replica-7-1 requested");
        assertThat(store.task("add_replica-7-1").orElseThrow().task().cancelRequested()).isTrue();

        JarCli.InJvm ended = JarCli.inThisJvm(args("task", new String[] {"cancel"}, "add_replica-7-2", where));
        assertThat(ended.exit()).isEqualTo(1);
        assertThat(ended.err()).isEqualTo("pgherd: task add_replica-7-2 has already ended (failed): nothing to cancel\n");
        JarCli.InJvm cancelUnknown = JarCli.inThisJvm(args("task", new String[] {"cancel"}, "nope", where));
        assertThat(cancelUnknown.exit()).isEqualTo(1);
        assertThat(cancelUnknown.err()).isEqualTo("pgherd: no task nope in cluster ctl-tasks ('pgherd tasks' lists them)\n");

        Path watchLog = dir.resolve("watch.log");
        Process watch = new ProcessBuilder(args(List.of("java", "-jar", JarCli.JAR.toString(), "tasks", "--watch", "--interval", "1"),
                where)).redirectErrorStream(true).redirectOutput(watchLog.toFile()).start();
        controllers.killedAfterTest(watch);
        Await.until("--watch prints the tasks again", STARTED,
                () -> Files.readString(watchLog).split("add_replica-7-1", -1).length > 2 && watch.isAlive());
        assertThat(Files.readString(watchLog)).contains("controller: c1");
        session.close();
    }

    private Process controller(String cluster, String name) throws Exception {
        return controllers.controller(cluster, name);
    }

    private String log(String name) throws Exception {
        return controllers.log(name);
    }

    private static String[] args(String command, String[] before, String id, String[] where) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(before));
        all.add(id);
        all.addAll(List.of(where));
        return all.toArray(String[]::new);
    }

    private static String[] args(String command, String[] where, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(where));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static List<String> args(List<String> first, String[] where) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(where));
        return all;
    }
}
