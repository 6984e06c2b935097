package io.pgherd.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ControllerStore.TaskEntry;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.ProxyRecord;
import io.pgherd.cluster.Task;
import io.pgherd.controller.metrics.ControllerStatus.TypeState;
import io.pgherd.controller.replicas.AssignmentDrains;
import io.pgherd.controller.replicas.Drains;
import io.pgherd.controller.replicas.Provisioner;
import io.pgherd.controller.replicas.SpareProvisioner;
import io.pgherd.controller.replicas.StepFailure;
import io.pgherd.controller.task.FencedWriteRefusedException;
import io.pgherd.controller.task.TaskType;
import io.pgherd.controller.task.TaskType.Takeover;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.TcpProxy;

/**
 * Two controllers on a real DCS: one acts, the other takes over within the TTL when the first is cut off
 * (its connection frozen, as a killed or paused process would leave it), finishes or rolls back the task
 * the first left in the middle of a step, and the first's late writes are refused. The task type is
 * defined here: each step creates a DCS key, each undo deletes it. Subclasses start the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ControllerTakeoverTest {

    static final Duration TTL = Duration.ofSeconds(4);
    static final Duration LOOP_WAIT = Duration.ofMillis(200);
    static final Duration MARGIN = Duration.ofSeconds(3);
    /** How long after the controller key went a standby may take it: the store's expiry check, one DCS round trip. */
    static final Duration TAKEOVER_MARGIN = Duration.ofMillis(1500);
    private static final AtomicInteger clusters = new AtomicInteger();

    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

    abstract void startServer(Path directory);

    abstract void stopServer();

    abstract DcsAddress serverAddress();

    @BeforeAll
    void startServerOnce(@TempDir Path directory) {
        startServer(directory);
    }

    @AfterAll
    void stopServerAtEnd() {
        stopServer();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfterTest.size() - 1; i >= 0; i--) {
            closeAfterTest.get(i).close();
        }
        closeAfterTest.clear();
    }

    @Test
    void oneControllerActsAndTheOtherTakesOverWithinTheTtlAndTheDeposedOnesLateWriteIsRefused() {
        String cluster = newCluster();
        TcpProxy firstLink = proxy();
        Controller first = start(cluster, "c1", firstLink, List.of());
        Await.until("c1 acts", Duration.ofSeconds(10), () -> first.fence().isPresent());
        Controller second = start(cluster, "c2", null, List.of());
        ControllerStore observer = store(cluster);
        Fence old = first.fence().orElseThrow();
        Await.until("c2 has run cycles", Duration.ofSeconds(5), () -> observer.acting().isPresent());
        assertThat(second.fence()).as("the standby does not act").isEmpty();
        assertThat(observer.acting()).contains("c1");

        firstLink.freeze();
        long frozenAt = System.nanoTime();
        long frozenAtMillis = System.currentTimeMillis();
        Await.until("c2 takes over", TTL.plus(MARGIN).plus(MARGIN), () -> second.fence().isPresent());
        long tookOver = Await.millisSince(frozenAt);
        System.out.println("c2 took over " + tookOver + " ms after c1 was cut off (ttl " + TTL.toMillis() + " ms)");
        // As c2 recorded it: c1's session ends at most one TTL after it was cut off (a ZooKeeper tick or an etcd lease
        // check later), and c2 takes the key as soon as it is deleted.
        Await.until("c2 records it", Duration.ofSeconds(5), () -> second.status().acting());
        assertThat(second.status().actingSinceMillis() - frozenAtMillis).as("c2 acting since, ms after c1 was cut off")
                .isBetween(0L, TTL.plus(TAKEOVER_MARGIN).toMillis());
        Fence current = second.fence().orElseThrow();
        assertThat(current.epoch()).isGreaterThan(old.epoch());
        assertThat(observer.acting()).contains("c2");
        assertThat(observer.epoch().getAsLong()).isEqualTo(current.epoch());

        firstLink.thaw();
        TaskType type = keysType(cluster, Takeover.RESUME, new CountDownLatch(0));
        Optional<Task> late = Await.success("c1 reaches the DCS again", Duration.ofSeconds(20),
                () -> first.tasks().create(type, Map.of(), old));
        assertThat(late).as("a task created with the deposed epoch").isEmpty();
        assertThat(observer.tasks()).isEmpty();
        Task made = second.tasks().create(type, Map.of(), current).orElseThrow();
        assertThat(made.ownerEpoch()).isEqualTo(current.epoch());
    }

    @Test
    void aStandbyTakesTheKeyAsSoonAsItIsDeletedNotAtItsNextCycle() {
        String cluster = newCluster();
        Controller first = start(cluster, "c1", null, List.of());
        Await.until("c1 acts", Duration.ofSeconds(10), () -> first.fence().isPresent());
        // A standby that would not look again for a minute on its own.
        Controller second = start(cluster, "c2", Duration.ofMinutes(1), Controller.KEEP_TASKS);
        Await.until("c2 stands by", Duration.ofSeconds(10), () -> second.status().lastCycleMillis() > 0);
        assertThat(second.status().acting()).isFalse();

        long closedAt = System.currentTimeMillis();
        first.close();
        Await.until("c2 takes over", Duration.ofSeconds(20), () -> second.status().acting());
        long after = second.status().actingSinceMillis() - closedAt;
        System.out.println("c2 took over " + after + " ms after c1 gave the key up (c2's loop_wait 60000 ms)");
        // c1's loop ends its cycle, then its session closes and the key goes; c2 is woken by the deletion. Its own next
        // cycle would be a minute later.
        assertThat(after).as("c2 acting since, ms after c1 was asked to stop").isBetween(0L, MARGIN.toMillis());
    }

    @Test
    void theActingControllerDeletesTheFinishedTasksBeyondTheNewestItKeeps() {
        String cluster = newCluster();
        Controller controller = start(cluster, "c1", LOOP_WAIT, 2);
        Await.until("c1 acts", Duration.ofSeconds(10), () -> controller.fence().isPresent());
        ControllerStore observer = store(cluster);
        Fence fence = controller.fence().orElseThrow();
        for (int k = 1; k <= 4; k++) {
            Task done = Task.pending("done-" + k, "make_keys", List.of("one"), Map.of(), k).withState(Task.State.SUCCEEDED, k * 10L);
            assertThat(observer.create(done, fence)).isTrue();
        }

        Await.until("the two oldest are deleted", Duration.ofSeconds(10),
                () -> observer.tasks().stream().map(e -> e.task().id()).toList().equals(List.of("done-3", "done-4")));
        Await.until("c1 counts them", Duration.ofSeconds(5), () -> controller.status().pruned() == 2
                && controller.status().tasks().equals(Map.of(new TypeState("make_keys", "succeeded"), 2)));
    }

    @Test
    void aTaskLeftMidStepByACutOffControllerIsResumedAndFinishedByTheOther() throws Exception {
        String cluster = newCluster();
        ClusterKeys keys = new ClusterKeys(cluster);
        CountDownLatch never = new CountDownLatch(1);
        closeAfterTest.add(never::countDown);
        TaskType stuck = keysType(cluster, Takeover.RESUME, never);
        TaskType fine = keysType(cluster, Takeover.RESUME, new CountDownLatch(0));
        TcpProxy firstLink = proxy();
        Controller first = start(cluster, "c1", firstLink, List.of(stuck));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> first.fence().isPresent());
        Fence old = first.fence().orElseThrow();
        ControllerStore observer = store(cluster);
        Task created = first.tasks().create(stuck, Map.of("label", "demo"), old).orElseThrow();
        Await.until("c1 is in step 2", Duration.ofSeconds(10), () -> step(observer, created.id(), 1).state() == Task.State.RUNNING);
        Controller second = start(cluster, "c2", null, List.of(fine));

        firstLink.freeze();
        Await.until("c2 finishes the task", TTL.plus(MARGIN).plus(Duration.ofSeconds(10)),
                () -> observer.task(created.id()).orElseThrow().task().state() == Task.State.SUCCEEDED);

        Task done = observer.task(created.id()).orElseThrow().task();
        long epoch = second.fence().orElseThrow().epoch();
        assertThat(done.owner()).isEqualTo("c2");
        assertThat(done.ownerEpoch()).isEqualTo(epoch).isGreaterThan(old.epoch());
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.parameters()).containsEntry("label", "demo").containsEntry("made-step-3", "yes");
        assertThat(done.steps()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(Task.State.SUCCEEDED);
            assertThat(s.finishedMillis()).isGreaterThanOrEqualTo(s.startedMillis()).isPositive();
        });
        assertThat(done.finishedMillis()).isPositive();
        Dcs dcs = connect(serverAddress());
        for (int step = 1; step <= 3; step++) {
            assertThat(dcs.get(keys.prefix() + "made/step-" + step)).as("key of step " + step).isPresent();
        }

        TaskEntry before = observer.task(created.id()).orElseThrow();
        assertThat(observer.update(before, before.task().withOwner("c1", old.epoch(), 1), old))
                .as("a task write fenced by the deposed epoch").isFalse();
        assertThat(observer.task(created.id()).orElseThrow()).isEqualTo(before);

        // c1 wakes up in the middle of its step 2 and tries to record it: refused by the fence (or it
        // finds its session lost first and writes nothing).
        firstLink.thaw();
        never.countDown();
        Await.until("c1 steps down", Duration.ofSeconds(20), () -> first.fence().isEmpty());
        assertThat(observer.task(created.id()).orElseThrow()).as("unchanged by the deposed controller").isEqualTo(before);
    }

    @Test
    void aTaskWhoseInterruptedStepCannotResumeIsRolledBackByTheOther() {
        String cluster = newCluster();
        ClusterKeys keys = new ClusterKeys(cluster);
        CountDownLatch never = new CountDownLatch(1);
        closeAfterTest.add(never::countDown);
        TcpProxy firstLink = proxy();
        Controller first = start(cluster, "c1", firstLink, List.of(keysType(cluster, Takeover.ROLL_BACK, never)));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> first.fence().isPresent());
        ControllerStore observer = store(cluster);
        Task created = first.tasks().create(keysType(cluster, Takeover.ROLL_BACK, never), Map.of(), first.fence().orElseThrow())
                .orElseThrow();
        Await.until("c1 is in step 2", Duration.ofSeconds(10), () -> step(observer, created.id(), 1).state() == Task.State.RUNNING);
        start(cluster, "c2", null, List.of(keysType(cluster, Takeover.ROLL_BACK, new CountDownLatch(0))));

        firstLink.freeze();
        Await.until("c2 rolls the task back", TTL.plus(MARGIN).plus(Duration.ofSeconds(10)),
                () -> observer.task(created.id()).orElseThrow().task().state() == Task.State.FAILED);

        Task failed = observer.task(created.id()).orElseThrow().task();
        assertThat(failed.error()).startsWith("taking over from controller c1 (epoch ").contains("step 2/3 'step-2' cannot resume: rolling back");
        assertThat(failed.steps()).extracting(Task.Step::state)
                .containsExactly(Task.State.CANCELLED, Task.State.CANCELLED, Task.State.PENDING);
        Dcs dcs = connect(serverAddress());
        assertThat(dcs.get(keys.prefix() + "made/step-1")).as("step 1 undone").isEmpty();
        assertThat(dcs.get(keys.prefix() + "made/step-2")).as("step 2 undone").isEmpty();
    }

    @Test
    void aCancelledTaskIsUndoneAndEndsCancelled() {
        String cluster = newCluster();
        ClusterKeys keys = new ClusterKeys(cluster);
        CountDownLatch gate = new CountDownLatch(1);
        closeAfterTest.add(gate::countDown);
        Controller only = start(cluster, "c1", null, List.of(keysType(cluster, Takeover.RESUME, gate)));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> only.fence().isPresent());
        ControllerStore observer = store(cluster);
        Task created = only.tasks().create(keysType(cluster, Takeover.RESUME, gate), Map.of(), only.fence().orElseThrow()).orElseThrow();
        Await.until("in step 2", Duration.ofSeconds(10), () -> step(observer, created.id(), 1).state() == Task.State.RUNNING);

        assertThat(observer.requestCancel(created.id(), System.currentTimeMillis())).isEqualTo(ControllerStore.CancelOutcome.REQUESTED);
        gate.countDown();

        Await.until("cancelled", Duration.ofSeconds(15), () -> observer.task(created.id()).orElseThrow().task().state() == Task.State.CANCELLED);
        Task cancelled = observer.task(created.id()).orElseThrow().task();
        assertThat(cancelled.error()).isEqualTo("cancelled by a user: rolling back from step 2/3 'step-2'");
        assertThat(connect(serverAddress()).list(keys.prefix() + "made/")).isEmpty();
        assertThat(observer.requestCancel(created.id(), 0)).isEqualTo(ControllerStore.CancelOutcome.ALREADY_FINISHED);
        assertThat(observer.requestCancel("no-such-task", 0)).isEqualTo(ControllerStore.CancelOutcome.NO_SUCH_TASK);
    }

    @Test
    void aStepThatIsNotDoneYetStaysRunningWithItsNoteAndIsRunAgainUntilDone() {
        String cluster = newCluster();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1);
        closeAfterTest.add(ready::countDown);
        TaskType waits = new TaskType("waits", List.of(new TaskType.Step("wait", context -> {
            runs.incrementAndGet();
            if (ready.getCount() > 0) {
                throw context.notYet("the thing is not ready (run " + runs.get() + ")");
            }
        }, context -> { }, Takeover.RESUME)));
        Controller only = start(cluster, "c1", null, List.of(waits));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> only.fence().isPresent());
        ControllerStore observer = store(cluster);
        Task created = only.tasks().create(waits, Map.of(), only.fence().orElseThrow()).orElseThrow();
        Await.until("the step runs", Duration.ofSeconds(10), () -> step(observer, created.id(), 0).state() == Task.State.RUNNING);
        long firstStart = step(observer, created.id(), 0).startedMillis();

        Await.until("the step was run three times", Duration.ofSeconds(15), () -> runs.get() >= 3);
        Await.until("its note is recorded", Duration.ofSeconds(10),
                () -> step(observer, created.id(), 0).note() != null && !step(observer, created.id(), 0).note().endsWith("(run 1)"));
        Task waiting = observer.task(created.id()).orElseThrow().task();
        Task.Step step = waiting.steps().get(0);
        assertThat(waiting.state()).isEqualTo(Task.State.RUNNING);
        assertThat(waiting.error()).isNull();
        assertThat(waiting.rollingBack()).isFalse();
        assertThat(step.state()).isEqualTo(Task.State.RUNNING);
        assertThat(step.note()).startsWith("the thing is not ready (run ");
        assertThat(step.startedMillis()).as("its first start is kept").isEqualTo(firstStart);

        ready.countDown();
        Await.until("succeeded", Duration.ofSeconds(10), () -> observer.task(created.id()).orElseThrow().task().state() == Task.State.SUCCEEDED);
        Task done = observer.task(created.id()).orElseThrow().task();
        assertThat(done.error()).isNull();
        assertThat(done.steps().get(0).note()).isNull();
        assertThat(done.steps().get(0).startedMillis()).isEqualTo(step.startedMillis());
    }

    @Test
    void aWaitingStepThatReachesItsOwnTimeoutFailsAndTheTaskRollsBack() {
        String cluster = newCluster();
        long timeoutMillis = 1500;
        List<String> undone = new CopyOnWriteArrayList<>();
        TaskType waits = new TaskType("waits", List.of(
                new TaskType.Step("first", context -> { }, context -> undone.add("first"), Takeover.RESUME),
                new TaskType.Step("wait", context -> {
                    long age = context.clock().millis() - context.stepStartedMillis();
                    if (age >= timeoutMillis) {
                        throw new IllegalStateException("the thing was not ready in " + timeoutMillis + " ms");
                    }
                    throw context.notYet("the thing is not ready after " + age + " ms");
                }, context -> undone.add("wait"), Takeover.RESUME)));
        Controller only = start(cluster, "c1", null, List.of(waits));
        Await.until("c1 acts", Duration.ofSeconds(10), () -> only.fence().isPresent());
        ControllerStore observer = store(cluster);
        Task created = only.tasks().create(waits, Map.of(), only.fence().orElseThrow()).orElseThrow();

        Await.until("failed", Duration.ofSeconds(20), () -> observer.task(created.id()).orElseThrow().task().state() == Task.State.FAILED);
        Task failed = observer.task(created.id()).orElseThrow().task();
        assertThat(failed.error()).isEqualTo("step 2 'wait' failed: the thing was not ready in 1500 ms");
        assertThat(failed.steps().get(1).finishedMillis() - failed.steps().get(1).startedMillis())
                .as("it waited from its first start").isGreaterThanOrEqualTo(timeoutMillis);
        assertThat(undone).containsExactly("wait", "first");
    }

    @Test
    void theSpareProvisionerAndTheDrainMarksWriteAssignmentsFencedByTheEpochAndADeposedOnesAreRefused() {
        String cluster = newCluster();
        Dcs dcs = connect(serverAddress());
        ClusterStore store = new ClusterStore(dcs, cluster);
        ControllerStore controllers = new ControllerStore(store);
        Session agents = dcs.openSession(TTL);
        closeAfterTest.add(agents::close);
        store.publish(new Member("s1", "spare", "stopped", "10.0.0.7", 5432, null, false, false, 0, 0, 0, true, 0, null, false,
                List.of()), agents);
        store.register(ProxyRecord.withReads("proxy1", 0, 0, Map.of("s1", 2), List.of("s1")), agents);
        Session first = dcs.openSession(TTL);
        Fence fence = controllers.acquire("c1", first).orElseThrow();

        SpareProvisioner spares = new SpareProvisioner(store, fence, "t1");
        assertThat(spares.provision("s1", "node2")).isEqualTo(new Provisioner.Placement("s1", "10.0.0.7", 5432,
                "the spare on 10.0.0.7"));
        assertThat(spares.provision("s1", "node2")).as("again").isEqualTo(spares.provision("s1", "node2"));
        assertThat(store.assignments().get("s1")).as("a replica from node2, not ready before the controller sees it stream")
                .isEqualTo(Assignment.of("s1", Assignment.Role.REPLICA, false, "t1", fence.epoch()).withCloneFrom("node2")
                        .withReady(false));
        assertThat(spares.list()).containsExactly("s1");
        assertThat(spares.lost("s1")).as("its agent is registered").isEmpty();
        assertThat(spares.lost("s2")).contains("the agent of the spare s2 is gone from the DCS (it stopped, or its host died)");
        assertThatThrownBy(() -> spares.provision("nobody", "node2")).isInstanceOf(StepFailure.class)
                .hasMessage("nobody is no registered spare: no agent of that name is in the DCS (it stopped, or never ran with"
                        + " role: spare)");

        AssignmentDrains drains = new AssignmentDrains(store, fence, "t2");
        drains.mark("s1", true);
        drains.mark("node9", true);
        assertThat(store.assignments().get("s1")).as("draining keeps the clone source and readiness")
                .isEqualTo(Assignment.of("s1", Assignment.Role.REPLICA, true, "t2", fence.epoch()).withCloneFrom("node2")
                        .withReady(false));
        assertThat(store.assignments().get("node9")).as("a local member gets one")
                .isEqualTo(Assignment.of("node9", Assignment.Role.REPLICA, true, "t2", fence.epoch()));
        assertThat(drains.reads("s1")).containsExactly(new Drains.ProxyReads("proxy1", true, 2));
        assertThat(drains.reads("node9")).as("proxy1 does not list node9 as draining yet")
                .containsExactly(new Drains.ProxyReads("proxy1", false, 0));

        spares.release("s1");
        assertThat(store.assignments().get("s1")).isEqualTo(Assignment.of("s1", Assignment.Role.SPARE, false, "t1", fence.epoch()));
        drains.forget("s1");
        drains.forget("node9");
        assertThat(store.assignments()).as("the spare's stays; the local member's is gone").containsOnlyKeys("s1");
        assertThat(spares.list()).isEmpty();

        first.close();
        Session second = dcs.openSession(TTL);
        closeAfterTest.add(second::close);
        AtomicReference<Fence> acquired = new AtomicReference<>();
        Await.until("c2 acquires", Duration.ofSeconds(10),
                () -> acquired.get() != null || controllers.acquire("c2", second).map(f -> { acquired.set(f); return f; }).isPresent());
        Fence newer = acquired.get();
        assertThat(newer.epoch()).isGreaterThan(fence.epoch());
        assertThatThrownBy(() -> new SpareProvisioner(store, fence, "t3").provision("s1", "node2"))
                .isInstanceOf(FencedWriteRefusedException.class).hasMessageContaining("could not assign s1 role replica");
        assertThatThrownBy(() -> new AssignmentDrains(store, fence, "t3").mark("s1", true))
                .isInstanceOf(FencedWriteRefusedException.class).hasMessageContaining("could not mark it draining (s1)");
        assertThat(store.assignments().get("s1")).as("unchanged by the deposed controller")
                .isEqualTo(Assignment.of("s1", Assignment.Role.SPARE, false, "t1", fence.epoch()));
        assertThat(controllers.putAssignment(Assignment.of("s1", Assignment.Role.REPLICA, false, "t4", newer.epoch()), newer))
                .as("the acting controller's write").isTrue();
        assertThat(controllers.deleteAssignment("s1", fence)).as("a deposed delete").isFalse();
        assertThat(controllers.deleteAssignment("s1", newer)).isTrue();
        assertThat(store.assignments()).isEmpty();
    }

    // ---- helpers

    /**
     * Three steps; step {@code k} creates {@code made/step-k} (fenced, idempotent) and its undo deletes it.
     * Step 2 first waits for {@code gate}; step 3 also records a parameter. Step 2 takes over as {@code policy} says.
     */
    static TaskType keysType(String cluster, Takeover policy, CountDownLatch gate) {
        String made = new ClusterKeys(cluster).prefix() + "made/";
        List<TaskType.Step> steps = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            String key = made + "step-" + k;
            int step = k;
            steps.add(new TaskType.Step("step-" + k, context -> {
                if (step == 2 && !gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate of step 2 never opened");
                }
                Dcs dcs = context.cluster().dcs();
                if (!dcs.createIfAbsent(key, context.taskId(), context.fence()) && dcs.get(key).isEmpty()) {
                    throw new IllegalStateException("could not create " + key + ": the fence of epoch " + context.fence().epoch()
                            + " no longer passes");
                }
                if (step == 3) {
                    context.putParameter("made-step-3", "yes");
                }
            }, context -> {
                Dcs dcs = context.cluster().dcs();
                dcs.get(key).ifPresent(e -> dcs.compareAndDelete(key, e.modRevision(), context.fence()));
            }, step == 2 ? policy : Takeover.RESUME));
        }
        return new TaskType("make_keys", steps);
    }

    private static Task.Step step(ControllerStore store, String id, int index) {
        return store.task(id).orElseThrow().task().steps().get(index);
    }

    private Controller start(String cluster, String name, TcpProxy link, List<TaskType> types) {
        DcsAddress address = link == null ? serverAddress() : new DcsAddress(serverAddress().backend(), List.of(link.address()));
        Dcs dcs = connect(address);
        return running(new Controller(dcs, cluster, name, TTL, LOOP_WAIT, types, List.of(), Clock.systemUTC()), name);
    }

    /** A controller with its own loop wait and number of finished tasks kept, on a direct connection. */
    private Controller start(String cluster, String name, Duration loopWait, int keepTasks) {
        return running(new Controller(connect(serverAddress()), cluster, name, TTL, loopWait, keepTasks, List.of(),
                List.of(), Clock.systemUTC()), name);
    }

    /** {@code controller}'s loop on a daemon thread of its own, closed and joined after the test. */
    private Controller running(Controller controller, String name) {
        Thread thread = new Thread(controller::run, "controller-" + name);
        thread.setDaemon(true);
        thread.start();
        closeAfterTest.add(() -> {
            controller.close();
            thread.join(10_000);
        });
        return controller;
    }

    private TcpProxy proxy() {
        InetSocketAddress server = serverAddress().servers().get(0);
        TcpProxy proxy = TcpProxy.to(server.getHostString(), server.getPort());
        closeAfterTest.add(proxy);
        return proxy;
    }

    private ControllerStore store(String cluster) {
        return new ControllerStore(new ClusterStore(connect(serverAddress()), cluster));
    }

    private Dcs connect(DcsAddress address) {
        Dcs dcs = Dcs.connect(address, Duration.ofSeconds(2));
        closeAfterTest.add(dcs);
        return dcs;
    }

    private String newCluster() {
        return getClass().getSimpleName().toLowerCase() + "-" + clusters.incrementAndGet();
    }
}
