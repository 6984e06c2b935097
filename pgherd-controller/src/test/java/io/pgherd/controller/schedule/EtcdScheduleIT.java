package io.pgherd.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.ScheduleStore;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.controller.Controller;
import io.pgherd.controller.metrics.ControllerMetrics;
import io.pgherd.controller.task.TaskType;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.TcpProxy;

/**
 * Schedules fired by real controllers ({@link Controller} with the {@link ScheduleReconciler} and the
 * {@value ScheduleTasks#TYPE} task type) on a real etcd, started once for the class: a schedule due a few seconds
 * ahead (a seconds field, so no test waits for a minute) sets {@code spec.read_replicas} once, with one task for its
 * due time; a manual scale after it stands until the next due time; and with the acting controller cut off from the
 * DCS (its connection frozen, as {@code kill -9} or a pause leaves it: it never gives the lease up) right at the due
 * time, or in the middle of the task, the other controller fires it exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdScheduleIT {
    private static final Duration TTL = Duration.ofSeconds(4);
    private static final Duration LOOP_WAIT = Duration.ofMillis(200);
    /** A due time this far ahead: the schedule is written well before it, even on a busy machine. */
    private static final Duration LEAD = Duration.ofSeconds(4);
    private static final AtomicInteger clusters = new AtomicInteger();

    private EtcdServer etcd;
    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

    @BeforeAll
    void startEtcd(@TempDir Path directory) {
        etcd = EtcdServer.start(directory);
    }

    @AfterAll
    void stopEtcd() {
        if (etcd != null) {
            etcd.kill();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfterTest.size() - 1; i >= 0; i--) {
            closeAfterTest.get(i).close();
        }
        closeAfterTest.clear();
    }

    @Test
    void aScheduleDueInAFewSecondsSetsTheCountOnceAndAManualScaleAfterItStandsUntilTheNextDueTime() {
        String cluster = newCluster();
        ClusterStore store = new ClusterStore(connect(address()), cluster);
        Controller c1 = start(cluster, "c1", null, ScheduleTasks.type());
        Await.until("c1 acts", Duration.ofSeconds(10), () -> c1.fence().isPresent());
        Instant up = dueIn(LEAD);
        Instant down = up.plusSeconds(8);
        Schedules schedules = new Schedules(store, Clock.systemUTC());
        schedules.add(new Schedules.Request("up", cron(up), "UTC", 3, "skip"));
        schedules.add(new Schedules.Request("down", cron(down), "UTC", 2, "skip"));

        Await.until("up fires", LEAD.plusSeconds(20), () -> store.readSpec().spec().map(Spec::readReplicas).equals(Optional.of(3)));
        Task first = Await.success("up's task succeeds", Duration.ofSeconds(10), () -> onlyTask(store, "up", Task.State.SUCCEEDED));
        // A user scales by hand after the schedule fired: no write of the schedule's until its next due time.
        ClusterStore.SpecRead read = store.readSpec();
        assertThat(store.writeSpec(read.revision(), new Spec(Spec.FORMAT, 5, null))).isTrue();
        long scaledAt = System.currentTimeMillis();
        assertThat(scaledAt).as("the manual scale came before down's due time").isLessThan(down.toEpochMilli());

        Task second = Await.success("down fires", Duration.ofSeconds(30), () -> onlyTask(store, "down", Task.State.SUCCEEDED));
        assertThat(store.readSpec().spec().map(Spec::readReplicas)).contains(2);
        assertThat(second.parameters()).as("the manual scale stood until down's due time")
                .containsEntry(ScheduleTasks.WAS, "5").containsEntry(ScheduleTasks.DUE, Long.toString(down.toEpochMilli()));
        assertThat(first.parameters()).containsEntry(ScheduleTasks.DUE, Long.toString(up.toEpochMilli()))
                .containsEntry(ScheduleTasks.DUE_AT, up.toString()).containsEntry(ScheduleTasks.READ_REPLICAS, "3");
        assertThat(first.owner()).isEqualTo("c1");

        long after = System.currentTimeMillis();
        Await.until("c1 runs more cycles", Duration.ofSeconds(10), () -> c1.status().lastCycleMillis() > after + 1000);
        assertThat(tasks(store)).as("one task per due time, never a second").hasSize(2);
        ScheduleStore records = new ScheduleStore(store);
        assertThat(records.get("up").orElseThrow().schedule().lastFiredMillis()).isEqualTo(up.toEpochMilli());
        assertThat(records.get("up").orElseThrow().schedule().lastFiredTask()).isEqualTo(first.id());
        assertThat(records.get("down").orElseThrow().schedule().lastFiredMillis()).isEqualTo(down.toEpochMilli());
        assertThat(ControllerMetrics.render(c1.status(), after)).contains("pgherd_controller_schedules_fired_total{cluster=\""
                + cluster + "\",controller=\"c1\"} 2");
    }

    @Test
    void theActingControllerCutOffAtTheDueTimeTheOtherFiresItExactlyOnce() {
        String cluster = newCluster();
        ClusterStore store = new ClusterStore(connect(address()), cluster);
        TcpProxy link = proxy();
        Controller c1 = start(cluster, "c1", link, ScheduleTasks.type());
        Await.until("c1 acts", Duration.ofSeconds(10), () -> c1.fence().isPresent());
        long firstEpoch = c1.fence().orElseThrow().epoch();
        Controller c2 = start(cluster, "c2", null, ScheduleTasks.type());
        Await.until("c2 stands by", Duration.ofSeconds(10), () -> c2.status().lastCycleMillis() > 0);
        Instant due = dueIn(LEAD);
        new Schedules(store, Clock.systemUTC()).add(new Schedules.Request("at-due", cron(due), "UTC", 4, "skip"));

        Await.until("the due time comes", LEAD.plusSeconds(10), () -> System.currentTimeMillis() >= due.toEpochMilli());
        link.freeze();
        Task done = Await.success("the schedule's task succeeds", TTL.plusSeconds(30),
                () -> onlyTask(store, "at-due", Task.State.SUCCEEDED));

        assertThat(done.owner()).as("finished by the controller that took over").isEqualTo("c2");
        assertThat(done.ownerEpoch()).isGreaterThan(firstEpoch);
        assertThat(store.readSpec().spec().map(Spec::readReplicas)).contains(4);
        link.thaw();
        long after = System.currentTimeMillis();
        Await.until("c1 is back and stands by", Duration.ofSeconds(20), () -> c1.status().lastCycleMillis() > after
                && !c1.status().acting());
        Await.until("c2 runs more cycles", Duration.ofSeconds(10), () -> c2.status().lastCycleMillis() > after + 1000);
        assertThat(tasks(store)).as("fired exactly once, across the takeover").hasSize(1);
        Schedule fired = new ScheduleStore(store).get("at-due").orElseThrow().schedule();
        assertThat(fired.lastFiredMillis()).isEqualTo(due.toEpochMilli());
        assertThat(fired.lastFiredTask()).isEqualTo(done.id());
    }

    @Test
    void aControllerCutOffInTheMiddleOfTheTaskLeavesItToTheOtherWhichFinishesItAndFiresNothingMore() throws Exception {
        String cluster = newCluster();
        ClusterStore store = new ClusterStore(connect(address()), cluster);
        CountDownLatch never = new CountDownLatch(1);
        closeAfterTest.add(never::countDown);
        TcpProxy link = proxy();
        Controller c1 = start(cluster, "c1", link, stuckAtStep2(never));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> c1.fence().isPresent());
        Controller c2 = start(cluster, "c2", null, ScheduleTasks.type());
        Await.until("c2 stands by", Duration.ofSeconds(10), () -> c2.status().lastCycleMillis() > 0);
        Instant due = dueIn(LEAD);
        new Schedules(store, Clock.systemUTC()).add(new Schedules.Request("mid-task", cron(due), "UTC", 6, "skip"));

        Task stuck = Await.success("c1 has recorded the due time and is in step 2", LEAD.plusSeconds(20),
                () -> onlyTask(store, "mid-task", Task.State.RUNNING));
        Await.until("step 2 runs", Duration.ofSeconds(10), () -> task(store, stuck.id()).steps().get(1).state() == Task.State.RUNNING);
        assertThat(new ScheduleStore(store).get("mid-task").orElseThrow().schedule().lastFiredTask()).isEqualTo(stuck.id());
        assertThat(store.readSpec().spec()).as("not set yet").isEmpty();
        link.freeze();

        Await.until("c2 finishes c1's task", TTL.plusSeconds(30), () -> task(store, stuck.id()).state() == Task.State.SUCCEEDED);
        Task done = task(store, stuck.id());
        assertThat(done.owner()).isEqualTo("c2");
        assertThat(store.readSpec().spec().map(Spec::readReplicas)).contains(6);
        long after = System.currentTimeMillis();
        Await.until("c2 runs more cycles", Duration.ofSeconds(10), () -> c2.status().lastCycleMillis() > after + 1000);
        assertThat(tasks(store)).as("c2 resumed c1's task and made none of its own").hasSize(1);
    }

    @Test
    void aSecondTaskForADueTimeAlreadyFiredFailsAtItsFirstStepAndLeavesTheSpecAlone() {
        String cluster = newCluster();
        ClusterStore store = new ClusterStore(connect(address()), cluster);
        TaskType type = ScheduleTasks.type();
        Controller c1 = start(cluster, "c1", null, type);
        Await.until("c1 acts", Duration.ofSeconds(10), () -> c1.fence().isPresent());
        Instant due = dueIn(LEAD);
        Schedule added = new Schedules(store, Clock.systemUTC()).add(new Schedules.Request("once", cron(due), "UTC", 3, "skip"));
        Task first = Await.success("it fires", LEAD.plusSeconds(20), () -> onlyTask(store, "once", Task.State.SUCCEEDED));
        ClusterStore.SpecRead read = store.readSpec();
        assertThat(store.writeSpec(read.revision(), new Spec(Spec.FORMAT, 5, null))).isTrue();

        // As a controller that missed the first task would make it: same schedule, same due time.
        Task again = c1.tasks().create(type, ScheduleTasks.parameters(added, due.toEpochMilli()), c1.fence().orElseThrow())
                .orElseThrow();
        Await.until("the second task ends", Duration.ofSeconds(20), () -> task(store, again.id()).finished());

        Task ended = task(store, again.id());
        assertThat(ended.state()).isEqualTo(Task.State.FAILED);
        assertThat(ended.error()).contains("schedule once was already fired for " + due + " by task " + first.id()
                + ": not firing it again");
        assertThat(store.readSpec().spec().map(Spec::readReplicas)).as("the manual scale stands").contains(5);
        assertThat(new ScheduleStore(store).get("once").orElseThrow().schedule().lastFiredTask()).isEqualTo(first.id());
    }

    // ---- helpers

    /** The task type with step 2 waiting for {@code gate} first: the controller running it stays in step 2. */
    private static TaskType stuckAtStep2(CountDownLatch gate) {
        TaskType real = ScheduleTasks.type();
        TaskType.Step two = real.steps().get(1);
        return new TaskType(real.name(), List.of(real.steps().get(0), new TaskType.Step(two.name(), context -> {
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate of step 2 never opened");
            }
            two.run().apply(context);
        }, two.undo(), two.takeover())));
    }

    /** The one task of {@code schedule}, once it is in {@code state}; fails (to be tried again) otherwise. */
    private static Task onlyTask(ClusterStore store, String schedule, Task.State state) {
        List<Task> of = tasks(store).stream().filter(t -> ScheduleTasks.scheduleOf(t).equals(Optional.of(schedule))).toList();
        if (of.size() != 1 || of.get(0).state() != state) {
            throw new IllegalStateException("tasks of " + schedule + ": " + of.stream().map(t -> t.id() + " " + t.state().label())
                    .toList() + ", not one " + state.label());
        }
        return of.get(0);
    }

    private static List<Task> tasks(ClusterStore store) {
        return new ControllerStore(store).tasks().stream().map(ControllerStore.TaskEntry::task).toList();
    }

    private static Task task(ClusterStore store, String id) {
        return new ControllerStore(store).task(id).orElseThrow().task();
    }

    /** A whole second at least {@code lead} from now. */
    private static Instant dueIn(Duration lead) {
        return Instant.now().plus(lead).plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
    }

    /** A cron expression with a seconds field due at {@code at} (UTC) only, once a year. */
    static String cron(Instant at) {
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        return t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " " + t.getDayOfMonth() + " " + t.getMonthValue() + " *";
    }

    private Controller start(String cluster, String name, TcpProxy link, TaskType type) {
        DcsAddress address = link == null ? address() : new DcsAddress(address().backend(), List.of(link.address()));
        Controller controller = new Controller(connect(address), cluster, name, TTL, LOOP_WAIT, List.of(type),
                List.of(new ScheduleReconciler(type, ScheduleRules.onTime(TTL, LOOP_WAIT))), Clock.systemUTC());
        Thread thread = new Thread(controller::run, "controller-" + name);
        thread.setDaemon(true);
        thread.start();
        closeAfterTest.add(() -> {
            controller.close();
            thread.join(10_000);
        });
        return controller;
    }

    private DcsAddress address() {
        return DcsAddress.parse(etcd.url());
    }

    private TcpProxy proxy() {
        InetSocketAddress server = address().servers().get(0);
        TcpProxy proxy = TcpProxy.to(server.getHostString(), server.getPort());
        closeAfterTest.add(proxy);
        return proxy;
    }

    private Dcs connect(DcsAddress address) {
        Dcs dcs = Dcs.connect(address, Duration.ofSeconds(2));
        closeAfterTest.add(dcs);
        return dcs;
    }

    private static String newCluster() {
        return "schedule-" + clusters.incrementAndGet();
    }
}
