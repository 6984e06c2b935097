package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.ScheduleStore;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.Dcs;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;

/**
 * {@code pgherd schedule} as the user runs it, and schedules fired by {@code pgherd controller} processes of the built
 * jar on a real etcd (started once for the class): every refusal one {@code pgherd:} line with nothing written; and a
 * schedule due while the acting controller is killed with {@code kill -9} at that moment fires exactly once, by the
 * controller that takes over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleCliIT {
    private static final Duration TTL = Duration.ofSeconds(4);
    /** A JVM start on a busy machine, on top of a TTL. */
    private static final Duration STARTED = Duration.ofSeconds(60);

    private ControllerProcesses controllers;
    private EtcdServer etcd;
    private Path dir;
    private Dcs dcs;

    @BeforeAll
    void startEtcd() {
        controllers = ControllerProcesses.start("ScheduleCliIT", TTL);
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
    void addListDisableEnableRemoveAndEveryRefusalIsOneLineWithNothingWritten() throws Exception {
        String[] where = {"--dcs", etcd.url(), "--cluster", "sched-cli"};
        ScheduleStore store = new ScheduleStore(new ClusterStore(dcs, "sched-cli"));

        JarCli.InJvm none = run(where, "schedule");
        assertThat(none.exit()).as(none.err()).isZero();
        assertThat(none.out()).startsWith("no schedules in cluster sched-cli");

        JarCli.InJvm up = run(where, "schedule", "add", "weekday-up", "--cron", "0 8 * * 1-5", "--zone", "Europe/Berlin",
                "--replicas", "4");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).startsWith("schedule weekday-up added: read_replicas=4 at '0 8 * * 1-5' (Europe/Berlin), next due at ")
                .endsWith("; missed runs: fire-once\n");
        JarCli.InJvm down = run(where, "schedule", "add", "weekday-down", "--cron", "0 20 * * 1-5", "--zone", "Europe/Berlin",
                "--replicas", "2", "--missed", "skip");
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(store.get("weekday-down").orElseThrow().schedule()).satisfies(s -> {
            assertThat(s.cron()).isEqualTo("0 20 * * 1-5");
            assertThat(s.zone()).isEqualTo("Europe/Berlin");
            assertThat(s.action()).isEqualTo(Schedule.Action.setReadReplicas(2));
            assertThat(s.missed()).isEqualTo(Schedule.Missed.SKIP);
            assertThat(s.enabled()).isTrue();
            assertThat(s.lastFiredMillis()).isZero();
        });

        JarCli.InJvm list = run(where, "schedule");
        assertThat(list.out()).startsWith("NAME          CRON          ZONE           ACTION           MISSED     ENABLED  NEXT                  LAST FIRED\n")
                .contains("weekday-down  0 20 * * 1-5  Europe/Berlin  read_replicas=2  skip       yes      20")
                .contains("weekday-up    0 8 * * 1-5   Europe/Berlin  read_replicas=4  fire-once  yes      20");
        JsonNode json = new ObjectMapper().readTree(run(where, "schedule", "--json").out());
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(1).get("action").get("read_replicas").asInt()).isEqualTo(4);

        long revision = dcs.get(new io.pgherd.dcs.ClusterKeys("sched-cli").schedule("weekday-up")).orElseThrow().modRevision();
        JarCli.InJvm bad = run(where, "schedule", "add", "weekday-up", "--cron", "0 25 * * *", "--zone", "Mars/Olympus",
                "--replicas", "17", "--missed", "twice");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("pgherd: cron expression '0 25 * * *' is not valid: Failed to parse cron expression."
                + " Value 25 not in range [0, 23]; unknown time zone 'Mars/Olympus'; expected an IANA name such as Europe/Berlin,"
                + " or UTC; read replicas must be 0 to 16 (got 17); missed must be skip or fire-once (got 'twice'); nothing was"
                + " changed; see 'pgherd schedule add --help'\n");
        JarCli.InJvm negative = run(where, "schedule", "add", "n", "--cron", "0 8 * * *", "--replicas", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).isEqualTo("pgherd: read replicas must be 0 to 16 (got -1); nothing was changed; see"
                + " 'pgherd schedule add --help'\n");
        JarCli.InJvm duplicate = run(where, "schedule", "add", "weekday-up", "--cron", "0 9 * * *", "--replicas", "1");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).isEqualTo("pgherd: a schedule named weekday-up exists ('pgherd schedule list'); remove it"
                + " first; nothing was changed\n");
        assertThat(store.get("n")).isEmpty();
        assertThat(dcs.get(new io.pgherd.dcs.ClusterKeys("sched-cli").schedule("weekday-up")).orElseThrow().modRevision())
                .as("untouched").isEqualTo(revision);

        JarCli.InJvm off = run(where, "schedule", "disable", "weekday-up");
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(off.out()).isEqualTo("schedule weekday-up disabled\n");
        assertThat(store.get("weekday-up").orElseThrow().schedule().enabled()).isFalse();
        assertThat(run(where, "schedule").out()).contains("weekday-up    0 8 * * 1-5   Europe/Berlin  read_replicas=4  fire-once  no"
                + "       -                     -\n");
        JarCli.InJvm on = run(where, "schedule", "enable", "weekday-up");
        assertThat(on.out()).startsWith("schedule weekday-up enabled; next due at ");
        assertThat(store.get("weekday-up").orElseThrow().schedule().enabled()).isTrue();

        JarCli.InJvm removed = run(where, "schedule", "remove", "weekday-down");
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(store.get("weekday-down")).isEmpty();
        JarCli.InJvm unknown = run(where, "schedule", "remove", "weekday-down");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("pgherd: no schedule named weekday-down ('pgherd schedule list' lists them)\n");
        assertThat(run(where, "schedule", "enable", "nope").err()).isEqualTo("pgherd: no schedule named nope ('pgherd schedule"
                + " list' lists them)\n");
    }

    @Test
    void aScheduleDueWhenTheActingControllerIsKilledMinus9FiresExactlyOnceByTheOther() throws Exception {
        String cluster = "sched-kill";
        ClusterStore cluster_ = new ClusterStore(dcs, cluster);
        ControllerStore store = new ControllerStore(cluster_);
        Process first = controller(cluster, "c1");
        Await.until("c1 acts", STARTED, () -> store.acting().equals(Optional.of("c1")));
        long firstEpoch = store.epoch().getAsLong();
        controller(cluster, "c2");
        Await.until("c2 stands by", STARTED, () -> log("c2").contains("controller c2: controller c1 acts (epoch " + firstEpoch
                + "): standing by"));
        Instant due = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
        JarCli.InJvm add = run(new String[] {"--dcs", etcd.url(), "--cluster", cluster}, "schedule", "add", "at-due", "--cron",
                cron(due), "--replicas", "3", "--missed", "skip");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(System.currentTimeMillis()).as("added before it is due").isLessThan(due.toEpochMilli());

        Await.until("the due time comes", Duration.ofSeconds(20), () -> System.currentTimeMillis() >= due.toEpochMilli());
        first.destroyForcibly().waitFor();
        long killedAt = System.currentTimeMillis();

        Await.until("c2 fires it", TTL.plus(Duration.ofSeconds(30)), () -> fireTasks(store).size() == 1
                && fireTasks(store).get(0).state() == Task.State.SUCCEEDED);
        Task done = fireTasks(store).get(0);
        System.out.println("killed c1 " + (killedAt - due.toEpochMilli()) + " ms after the due time; task " + done.id()
                + " created by epoch " + done.id().split("-")[1] + " (c1's was " + firstEpoch + "), finished by " + done.owner()
                + " " + (done.finishedMillis() - due.toEpochMilli()) + " ms after the due time");
        assertThat(done.owner()).isEqualTo("c2");
        assertThat(done.ownerEpoch()).isGreaterThan(firstEpoch);
        assertThat(done.parameters()).containsEntry("due", Long.toString(due.toEpochMilli()));
        assertThat(cluster_.readSpec().spec().map(Spec::readReplicas)).contains(3);
        Schedule fired = new ScheduleStore(cluster_).get("at-due").orElseThrow().schedule();
        assertThat(fired.lastFiredMillis()).isEqualTo(due.toEpochMilli());
        assertThat(fired.lastFiredTask()).isEqualTo(done.id());

        Await.until("c2 logs the schedule as fired", Duration.ofSeconds(10),
                () -> log("c2").contains("schedule at-due: last fired for " + due));
        assertThat(fireTasks(store)).as("exactly once").hasSize(1);
    }

    private static List<Task> fireTasks(ControllerStore store) {
        return store.tasks().stream().map(ControllerStore.TaskEntry::task).filter(t -> t.type().equals("fire_schedule")).toList();
    }

    /** A cron expression with a seconds field due at {@code at} (UTC) only, once a year. */
    private static String cron(Instant at) {
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        return t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " " + t.getDayOfMonth() + " " + t.getMonthValue() + " *";
    }

    private static JarCli.InJvm run(String[] where, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(where));
        return JarCli.inThisJvm(all.toArray(String[]::new));
    }

    private Process controller(String cluster, String name) throws Exception {
        return controllers.controller(cluster, name);
    }

    private String log(String name) throws Exception {
        return controllers.log(name);
    }
}
