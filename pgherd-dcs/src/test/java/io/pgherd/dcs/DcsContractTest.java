package io.pgherd.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.TcpProxy;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarantees of {@link Dcs}, checked against a real server of each backend. Subclasses start
 * the server; every test works under a cluster prefix of its own, so they share one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DcsContractTest {

    /**
     * Short, so expiry tests are quick, yet long enough that a session survives the second or so a busy
     * shared host can stall the store, the proxy and the client (ZooKeeper gives up on a connection that
     * was silent for two thirds of the session's timeout).
     */
    static final Duration TTL = Duration.ofSeconds(4);
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);
    /** Slack on top of a TTL for the server's expiry check and the client's notification. */
    static final Duration MARGIN = Duration.ofSeconds(2);
    static final Duration EVENT_DEADLINE = Duration.ofSeconds(5);

    private static final AtomicInteger clusters = new AtomicInteger();

    @RegisterExtension
    final TestWatcher serverLogOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println("---- " + context.getDisplayName() + " failed; server log:\n" + serverLog());
        }
    };

    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

    /** Starts the server for the first time, with its data under {@code directory}. */
    abstract void startServer(Path directory);

    /** Stops the server as a crash would; the data stays. */
    abstract void stopServer();

    /** Starts the stopped server again on the same address and data. */
    abstract void restartServer();

    abstract DcsAddress serverAddress();

    /** The end of the server's log, printed when a test fails. */
    abstract String serverLog();

    @BeforeAll
    void startServerOnce(@TempDir Path serverDirectory) {
        startServer(serverDirectory);
    }

    @AfterAll
    void stopServerAtEnd() {
        stopServer();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (int i = closeAfterTest.size() - 1; i >= 0; i--) {
            closeAfterTest.get(i).close();
        }
        closeAfterTest.clear();
    }

    // ---- atomic create, the leader race and the epoch

    @Test
    void exactlyOneOfManyRacingSessionsCreatesTheLeaderKey() throws Exception {
        Dcs first = connect();
        Dcs second = connect();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        closeAfterTest.add(pool::shutdownNow);
        for (int round = 0; round < 5; round++) {
            String leader = newCluster().leader();
            record Racer(Dcs dcs, Session session) {
            }
            List<Racer> racers = List.of(new Racer(first, first.openSession(TTL)), new Racer(first, first.openSession(TTL)),
                    new Racer(second, second.openSession(TTL)), new Racer(second, second.openSession(TTL)));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Optional<Entry>>> results = new ArrayList<>();
            for (Racer racer : racers) {
                Callable<Optional<Entry>> race = () -> {
                    go.await();
                    return racer.dcs().createEphemeral(leader, "member-" + racer.session().id(), racer.session());
                };
                results.add(pool.submit(race));
            }
            go.countDown();
            List<Entry> winners = new ArrayList<>();
            for (Future<Optional<Entry>> result : results) {
                result.get(10, TimeUnit.SECONDS).ifPresent(winners::add);
            }

            assertThat(winners).as("round %d: winners", round).hasSize(1);
            Entry stored = first.get(leader).orElseThrow();
            assertThat(stored).isEqualTo(winners.get(0));
            assertThat(stored.ephemeral()).isTrue();
            racers.forEach(racer -> racer.session().close());
        }
    }

    @Test
    void createIfAbsentCreatesOnlyOnce() {
        Dcs dcs = connect();
        String config = newCluster().config();

        assertThat(dcs.createIfAbsent(config, "first")).isTrue();
        assertThat(dcs.createIfAbsent(config, "second")).isFalse();
        Entry entry = dcs.get(config).orElseThrow();
        assertThat(entry.value()).isEqualTo("first");
        assertThat(entry.ephemeral()).isFalse();
    }

    @Test
    void createEphemeralRefusesAKeyHeldByAnotherSession() {
        Dcs dcs = connect();
        String leader = newCluster().leader();
        Session holder = dcs.openSession(TTL);
        Session contender = dcs.openSession(TTL);

        Entry held = dcs.createEphemeral(leader, "a", holder).orElseThrow();

        assertThat(dcs.createEphemeral(leader, "b", contender)).isEmpty();
        assertThat(dcs.createEphemeral(leader, "a", holder)).as("the holder asking again").contains(held);
        assertThat(dcs.get(leader).orElseThrow().value()).isEqualTo("a");
    }

    @Test
    void everyNewHolderOfTheLeaderKeyGetsALargerEpoch() {
        Dcs dcs = connect();
        String leader = newCluster().leader();
        long previousEpoch = 0;
        for (int term = 0; term < 3; term++) {
            Session session = dcs.openSession(TTL);
            Entry entry = dcs.createEphemeral(leader, "term " + term, session).orElseThrow();
            assertThat(entry.createRevision()).isGreaterThan(previousEpoch);
            assertThat(dcs.compareAndSet(leader, entry.modRevision(), "renewed")).isTrue();
            assertThat(dcs.get(leader).orElseThrow().createRevision()).as("a renewal keeps the epoch").isEqualTo(entry.createRevision());
            previousEpoch = entry.createRevision();
            session.close();
            Await.until("leader key gone after closing its session", EVENT_DEADLINE, () -> dcs.get(leader).isEmpty());
        }
    }

    // ---- fenced writes: a lease with an epoch key, writes guarded by the epoch

    @Test
    void acquireCreatesTheLeaseOnlyWhenAbsentAndEveryHolderGetsALargerEpoch() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        String lease = keys.prefix() + "lease";
        String epochKey = keys.prefix() + "lease_epoch";
        long previous = 0;
        for (int term = 0; term < 3; term++) {
            Session holder = dcs.openSession(TTL);
            Session contender = dcs.openSession(TTL);
            Fence fence = dcs.acquire(lease, "term " + term, holder, epochKey, "epoch of term " + term).orElseThrow();

            assertThat(fence.epoch()).isGreaterThan(previous);
            assertThat(dcs.get(epochKey).orElseThrow().modRevision()).isEqualTo(fence.modRevision());
            assertThat(dcs.get(epochKey).orElseThrow().value()).isEqualTo("epoch of term " + term);
            assertThat(dcs.get(lease).orElseThrow().ephemeral()).isTrue();
            assertThat(dcs.acquire(lease, "contender", contender, epochKey, "contender")).as("lease held").isEmpty();
            assertThat(dcs.get(epochKey).orElseThrow().modRevision()).as("a refused acquire leaves the epoch").isEqualTo(fence.modRevision());
            previous = fence.epoch();
            holder.close();
            contender.close();
            Await.until("lease gone with its session", EVENT_DEADLINE, () -> dcs.get(lease).isEmpty());
        }
    }

    @Test
    void aDeposedHoldersFencedWritesFailAndTheNewHoldersSucceed() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        String lease = keys.prefix() + "lease";
        String epochKey = keys.prefix() + "lease_epoch";
        String task = keys.task("t1");
        String other = keys.task("t2");
        Session first = dcs.openSession(TTL);
        Fence old = dcs.acquire(lease, "first", first, epochKey, "first").orElseThrow();
        assertThat(dcs.createIfAbsent(task, "created by first", old)).isTrue();
        assertThat(dcs.createIfAbsent(task, "again", old)).as("exists").isFalse();
        Entry created = dcs.get(task).orElseThrow();
        assertThat(dcs.compareAndSet(task, created.modRevision(), "step 1 by first", old)).isTrue();
        Entry afterStep = dcs.get(task).orElseThrow();
        assertThat(dcs.compareAndSet(task, created.modRevision(), "stale revision", old)).as("stale key revision").isFalse();

        // The first holder's session ends; a second takes over. Same version of a fresh ephemeral
        // lease node on ZooKeeper: only the epoch key can tell the two apart.
        first.close();
        Await.until("first lease gone", EVENT_DEADLINE, () -> dcs.get(lease).isEmpty());
        Session second = dcs.openSession(TTL);
        Fence current = dcs.acquire(lease, "second", second, epochKey, "second").orElseThrow();

        assertThat(dcs.compareAndSet(task, afterStep.modRevision(), "late write by first", old)).as("deposed CAS").isFalse();
        assertThat(dcs.createIfAbsent(other, "late create by first", old)).as("deposed create").isFalse();
        assertThat(dcs.compareAndDelete(task, afterStep.modRevision(), old)).as("deposed delete").isFalse();
        assertThat(dcs.get(task).orElseThrow().value()).isEqualTo("step 1 by first");
        assertThat(dcs.get(other)).isEmpty();

        assertThat(dcs.compareAndSet(task, afterStep.modRevision(), "step 2 by second", current)).isTrue();
        assertThat(dcs.createIfAbsent(other, "created by second", current)).isTrue();
        Entry latest = dcs.get(task).orElseThrow();
        assertThat(latest.value()).isEqualTo("step 2 by second");
        assertThat(dcs.compareAndDelete(task, latest.modRevision(), current)).isTrue();
        assertThat(dcs.get(task)).isEmpty();
    }

    @Test
    void aFenceWhoseEpochKeyWasWrittenByAnyoneFails() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        String epochKey = keys.prefix() + "lease_epoch";
        Session holder = dcs.openSession(TTL);
        Fence fence = dcs.acquire(keys.prefix() + "lease", "holder", holder, epochKey, "holder").orElseThrow();
        dcs.put(keys.config(), "v1");
        Entry config = dcs.get(keys.config()).orElseThrow();

        dcs.put(epochKey, "written behind the holder's back");

        assertThat(dcs.compareAndSet(keys.config(), config.modRevision(), "v2", fence)).isFalse();
        assertThat(dcs.createIfAbsent(keys.task("x"), "x", fence)).isFalse();
        assertThat(dcs.get(keys.config()).orElseThrow().value()).isEqualTo("v1");
        assertThat(dcs.createIfAbsent(keys.task("y"), "y", new Fence(keys.prefix() + "no_such_epoch", 7))).as("absent epoch key").isFalse();
    }

    // ---- compare-and-set, compare-and-delete

    @Test
    void compareAndSetRefusesAStaleRevisionAndAcceptsTheCurrentOne() {
        Dcs dcs = connect();
        String config = newCluster().config();
        dcs.put(config, "v1");
        Entry read = dcs.get(config).orElseThrow();

        assertThat(dcs.compareAndSet(config, read.modRevision(), "v2")).isTrue();
        assertThat(dcs.compareAndSet(config, read.modRevision(), "v3")).as("stale revision").isFalse();
        Entry current = dcs.get(config).orElseThrow();
        assertThat(current.value()).isEqualTo("v2");
        assertThat(current.modRevision()).isGreaterThan(read.modRevision());
        assertThat(current.createRevision()).isEqualTo(read.createRevision());
        assertThat(dcs.compareAndSet(config, current.modRevision(), "v3")).isTrue();
        assertThat(dcs.get(config).orElseThrow().value()).isEqualTo("v3");
    }

    @Test
    void compareAndSetRefusesAKeyThatWasDeletedAndCreatedAgain() {
        Dcs dcs = connect();
        String config = newCluster().config();
        dcs.put(config, "v1");
        Entry read = dcs.get(config).orElseThrow();
        dcs.delete(config);

        assertThat(dcs.compareAndSet(config, read.modRevision(), "v2")).as("key absent").isFalse();
        assertThat(dcs.get(config)).isEmpty();
        dcs.put(config, "v1 again");
        assertThat(dcs.compareAndSet(config, read.modRevision(), "v2")).as("new incarnation").isFalse();
        assertThat(dcs.get(config).orElseThrow().value()).isEqualTo("v1 again");
    }

    @Test
    void compareAndSetKeepsAnEphemeralKeyBoundToItsSession() {
        Dcs dcs = connect();
        String leader = newCluster().leader();
        Session session = dcs.openSession(TTL);
        Entry created = dcs.createEphemeral(leader, "a", session).orElseThrow();

        assertThat(dcs.compareAndSet(leader, created.modRevision(), "a, renewed")).isTrue();

        Entry renewed = dcs.get(leader).orElseThrow();
        assertThat(renewed.value()).isEqualTo("a, renewed");
        assertThat(renewed.ephemeral()).isTrue();
        session.close();
        Await.until("renewed leader key gone with its session", EVENT_DEADLINE, () -> dcs.get(leader).isEmpty());
    }

    @Test
    void compareAndDeleteRefusesAStaleRevisionAndDeletesOnTheCurrentOne() {
        Dcs dcs = connect();
        String leader = newCluster().leader();
        Session session = dcs.openSession(TTL);
        Entry created = dcs.createEphemeral(leader, "a", session).orElseThrow();
        assertThat(dcs.compareAndSet(leader, created.modRevision(), "a, renewed")).isTrue();

        assertThat(dcs.compareAndDelete(leader, created.modRevision())).as("stale revision").isFalse();
        assertThat(dcs.get(leader)).isPresent();
        Entry current = dcs.get(leader).orElseThrow();
        assertThat(dcs.compareAndDelete(leader, current.modRevision())).isTrue();
        assertThat(dcs.get(leader)).isEmpty();
        assertThat(dcs.compareAndDelete(leader, current.modRevision())).as("already deleted").isFalse();
    }

    // ---- plain writes and reads

    @Test
    void putCreatesAPersistentKeyThenReplacesItsValue() {
        Dcs dcs = connect();
        String status = newCluster().status();

        dcs.put(status, "0/1000000");
        Entry first = dcs.get(status).orElseThrow();
        dcs.put(status, "0/2000000");
        Entry second = dcs.get(status).orElseThrow();

        assertThat(first.ephemeral()).isFalse();
        assertThat(second.value()).isEqualTo("0/2000000");
        assertThat(second.createRevision()).isEqualTo(first.createRevision());
        assertThat(second.modRevision()).isGreaterThan(first.modRevision());
    }

    @Test
    void putOnAnEphemeralKeyKeepsItBoundToItsSession() {
        Dcs dcs = connect();
        String member = newCluster().member("node1");
        Session session = dcs.openSession(TTL);
        dcs.createEphemeral(member, "starting", session).orElseThrow();

        dcs.put(member, "running");

        assertThat(dcs.get(member).orElseThrow().ephemeral()).isTrue();
        session.close();
        Await.until("member key gone with its session", EVENT_DEADLINE, () -> dcs.get(member).isEmpty());
    }

    @Test
    void putEphemeralCreatesUpdatesAndTakesOverAKey() {
        Dcs dcs = connect();
        String member = newCluster().member("node1");
        Session first = dcs.openSession(TTL);
        Session second = dcs.openSession(TTL);

        Entry created = dcs.putEphemeral(member, "v1", first);
        Entry updated = dcs.putEphemeral(member, "v2", first);
        assertThat(created.ephemeral()).isTrue();
        assertThat(updated.modRevision()).isGreaterThan(created.modRevision());
        assertThat(dcs.get(member).orElseThrow()).isEqualTo(updated);

        Entry takenOver = dcs.putEphemeral(member, "v3", second);
        first.close();
        assertThat(dcs.get(member).orElseThrow()).as("bound to the second session now").isEqualTo(takenOver);
        second.close();
        Await.until("member key gone with the second session", EVENT_DEADLINE, () -> dcs.get(member).isEmpty());
    }

    @Test
    void deleteSaysWhetherTheKeyExisted() {
        Dcs dcs = connect();
        String failover = newCluster().failover();
        dcs.put(failover, "{\"to\":\"node2\"}");

        assertThat(dcs.delete(failover)).isTrue();
        assertThat(dcs.delete(failover)).isFalse();
        assertThat(dcs.get(failover)).isEmpty();
    }

    @Test
    void listReturnsEveryKeyBelowThePrefixSortedAndNothingElse() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        ClusterKeys neighbour = new ClusterKeys(keys.cluster() + "x");
        Session session = dcs.openSession(TTL);
        dcs.put(keys.config(), "c");
        dcs.putEphemeral(keys.member("b"), "mb", session);
        dcs.putEphemeral(keys.member("a"), "ma", session);
        dcs.put(keys.task("t1"), "t");
        dcs.put(neighbour.config(), "not mine");

        assertThat(dcs.list(keys.prefix())).extracting(Entry::key)
                .containsExactly(keys.config(), keys.member("a"), keys.member("b"), keys.task("t1"));
        assertThat(dcs.list(keys.members())).extracting(Entry::value).containsExactly("ma", "mb");
        assertThat(dcs.list(keys.proxies())).isEmpty();
        assertThat(dcs.list(new ClusterKeys(keys.cluster() + "-none").prefix())).isEmpty();
    }

    @Test
    void malformedKeysAreRefusedBeforeAnyRequest() {
        Dcs dcs = connect();

        assertThatThrownBy(() -> dcs.get("pgherd/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dcs.put("/pgherd//x", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dcs.list("/pgherd")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- sessions: TTL expiry and loss

    @Test
    void closingASessionDeletesItsKeysWellBeforeTheTtl() {
        Dcs dcs = connect();
        String leader = newCluster().leader();
        Session session = dcs.openSession(Duration.ofSeconds(20));
        dcs.createEphemeral(leader, "a", session).orElseThrow();

        long start = System.nanoTime();
        session.close();

        Await.until("key gone after close", Duration.ofSeconds(5), () -> dcs.get(leader).isEmpty());
        assertThat(Await.millisSince(start)).isLessThan(session.ttl().toMillis());
        assertThat(session.state()).isEqualTo(Session.State.CLOSED);
        assertThatThrownBy(() -> dcs.createEphemeral(leader, "a", session)).isInstanceOf(LostSessionException.class);
    }

    @Test
    void aSessionCutOffFromTheStoreLosesItsKeyWithinTheTtlAndIsToldLost() throws Exception {
        InetSocketAddress server = serverAddress().servers().get(0);
        TcpProxy proxy = TcpProxy.to(server.getHostString(), server.getPort());
        closeAfterTest.add(proxy);
        Dcs cutOff = connect(new DcsAddress(serverAddress().backend(), List.of(proxy.address())));
        Dcs observer = connect();
        String leader = newCluster().leader();
        Session session = cutOff.openSession(TTL);
        CompletableFuture<String> lost = new CompletableFuture<>();
        session.onLost(lost::complete);
        Entry held = cutOff.createEphemeral(leader, "cut off", session).orElseThrow();

        proxy.freeze();
        long frozenAt = System.nanoTime();

        Await.until("the store deletes the key of the silent session", session.ttl().plus(MARGIN),
                () -> observer.get(leader).isEmpty());
        String reason = lost.get(session.ttl().multipliedBy(3).plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(reason).isNotBlank();
        assertThat(session.state()).isEqualTo(Session.State.LOST);
        assertThat(Await.millisSince(frozenAt)).isGreaterThanOrEqualTo(session.ttl().toMillis() / 2);

        Session successor = observer.openSession(TTL);
        Entry next = observer.createEphemeral(leader, "successor", successor).orElseThrow();
        assertThat(next.createRevision()).isGreaterThan(held.createRevision());
        assertThatThrownBy(() -> cutOff.createEphemeral(leader, "again", session)).isInstanceOf(LostSessionException.class);
        CompletableFuture<String> lateListener = new CompletableFuture<>();
        session.onLost(lateListener::complete);
        assertThat(lateListener.get(5, TimeUnit.SECONDS)).as("a listener added after the loss").isEqualTo(reason);
    }

    @Test
    void renewalsMoveTheProvenExpiryAndACutOffSessionKeepsItsKeyUntilThen() throws Exception {
        InetSocketAddress server = serverAddress().servers().get(0);
        TcpProxy proxy = TcpProxy.to(server.getHostString(), server.getPort());
        closeAfterTest.add(proxy);
        Dcs cutOff = connect(new DcsAddress(serverAddress().backend(), List.of(proxy.address())));
        Dcs observer = connect();
        String leader = newCluster().leader();
        long opened = System.nanoTime();
        Session session = cutOff.openSession(TTL);
        long took = System.nanoTime() - opened;
        assertThat(session.expiresNotBeforeNanos() - opened).as("a new session: its ttl from when it was asked for")
                .isBetween(session.ttl().toNanos(), session.ttl().toNanos() + took);
        cutOff.createEphemeral(leader, "cut off", session).orElseThrow();

        long first = session.expiresNotBeforeNanos();
        Await.until("a renewal moves the proven expiry", EVENT_DEADLINE, () -> {
            session.renew();
            return session.expiresNotBeforeNanos() > first;
        });

        proxy.freeze();
        long frozenAt = System.nanoTime();
        // Until the proven moment the key must be there: every read answered before it finds it.
        Await.until("the session's proven expiry passes, the key found by every read answered before it",
                session.ttl().plus(MARGIN), () -> {
                    session.renew();
                    boolean present = observer.get(leader).isPresent();
                    if (System.nanoTime() - session.expiresNotBeforeNanos() >= 0) {
                        return true;
                    }
                    assertThat(present).as("the key, read before its session's proven expiry").isTrue();
                    return false;
                });
        assertThat(session.expiresNotBeforeNanos() - frozenAt).as("renewals sent through the frozen link prove nothing")
                .isLessThanOrEqualTo(session.ttl().toNanos());
        Await.until("the store deletes the key of the silent session", session.ttl().plus(MARGIN),
                () -> observer.get(leader).isEmpty());
    }

    // ---- watches

    @Test
    void aWatchSeesCreateUpdateAndDeleteWithinADeadline() {
        Dcs dcs = connect();
        Dcs writer = connect();
        ClusterKeys keys = newCluster();
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        closeAfterTest.add(dcs.watch(keys.prefix(), events::add));

        writer.createIfAbsent(keys.config(), "v1");
        assertThat(nextChange(events)).isInstanceOfSatisfying(WatchEvent.Put.class,
                put -> assertThat(put.entry()).isEqualTo(writer.get(keys.config()).orElseThrow()));
        writer.put(keys.config(), "v2");
        assertThat(nextChange(events)).isInstanceOfSatisfying(WatchEvent.Put.class,
                put -> assertThat(put.entry().value()).isEqualTo("v2"));
        writer.delete(keys.config());
        assertThat(nextChange(events)).isEqualTo(new WatchEvent.Delete(keys.config()));

        writer.put(new ClusterKeys(keys.cluster() + "x").config(), "elsewhere");
        writer.put(keys.member("n1"), "marker");
        assertThat(nextChange(events)).as("nothing from outside the prefix comes first")
                .isInstanceOfSatisfying(WatchEvent.Put.class, put -> assertThat(put.entry().key()).isEqualTo(keys.member("n1")));
    }

    @Test
    void aWatchSeesTheKeyOfAnEndedSessionVanish() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        Session session = dcs.openSession(TTL);
        dcs.createEphemeral(keys.leader(), "a", session).orElseThrow();
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        closeAfterTest.add(dcs.watch(keys.prefix(), events::add));

        session.close();

        assertThat(nextChange(events)).isEqualTo(new WatchEvent.Delete(keys.leader()));
    }

    @Test
    void aClosedWatchDeliversNothingMore() {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        BlockingQueue<WatchEvent> closedEvents = new LinkedBlockingQueue<>();
        BlockingQueue<WatchEvent> openEvents = new LinkedBlockingQueue<>();
        Watch closed = dcs.watch(keys.prefix(), closedEvents::add);
        closeAfterTest.add(dcs.watch(keys.prefix(), openEvents::add));

        closed.close();
        dcs.put(keys.config(), "v1");

        assertThat(nextChange(openEvents)).isInstanceOf(WatchEvent.Put.class);
        assertThat(closedEvents).isEmpty();
    }

    // ---- the server stopped and started again

    @Test
    void operationsFailBoundedWhileTheServerIsDownAndWorkAgainAfterRestart() throws Exception {
        Dcs dcs = connect();
        ClusterKeys keys = newCluster();
        dcs.put(keys.config(), "kept");
        Entry config = dcs.get(keys.config()).orElseThrow();
        Session session = dcs.openSession(TTL);
        CompletableFuture<String> lost = new CompletableFuture<>();
        session.onLost(lost::complete);
        Entry held = dcs.createEphemeral(keys.leader(), "old leader", session).orElseThrow();

        stopServer();
        try {
            // The store promises about twice the operation timeout; the bound leaves room for a loaded
            // machine while still failing a call that hangs or retries without end.
            long bound = OPERATION_TIMEOUT.toMillis() * 4 + MARGIN.toMillis() * 2;
            long start = System.nanoTime();
            assertThatThrownBy(() -> dcs.get(keys.config()))
                    .isInstanceOf(DcsException.class)
                    .hasMessageContaining(keys.config())
                    .satisfies(e -> assertThat(((DcsException) e).operation()).isEqualTo("get"));
            assertThat(Await.millisSince(start)).as("get failed within ms").isLessThan(bound);
            start = System.nanoTime();
            assertThatThrownBy(() -> dcs.compareAndSet(keys.config(), config.modRevision(), "lost write"))
                    .isInstanceOf(DcsException.class);
            assertThat(Await.millisSince(start)).as("compareAndSet failed within ms").isLessThan(bound);
            start = System.nanoTime();
            assertThatThrownBy(() -> dcs.openSession(TTL)).isInstanceOf(DcsException.class);
            assertThat(Await.millisSince(start)).as("openSession failed within ms").isLessThan(bound);

            assertThat(lost.get(session.ttl().multipliedBy(3).plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS)).isNotBlank();
            assertThat(session.state()).isEqualTo(Session.State.LOST);
        } finally {
            restartServer();
        }

        Dcs fresh = connect();
        assertThat(Await.success("a new client reads after restart", Duration.ofSeconds(10), () -> fresh.get(keys.config())))
                .contains(config);
        Await.until("the lost session's key expires after restart", session.ttl().plus(Duration.ofSeconds(5)),
                () -> fresh.get(keys.leader()).isEmpty());
        Session successor = fresh.openSession(TTL);
        Entry next = fresh.createEphemeral(keys.leader(), "new leader", successor).orElseThrow();
        assertThat(next.createRevision()).isGreaterThan(held.createRevision());
        assertThat(Await.success("the old client reads again", Duration.ofSeconds(20), () -> dcs.get(keys.leader())))
                .contains(next);
        assertThat(session.state()).as("a lost session never heals").isEqualTo(Session.State.LOST);
    }

    // ---- helpers

    Dcs connect() {
        return connect(serverAddress());
    }

    Dcs connect(DcsAddress address) {
        Dcs dcs = Dcs.connect(address, OPERATION_TIMEOUT);
        closeAfterTest.add(dcs);
        return dcs;
    }

    ClusterKeys newCluster() {
        return new ClusterKeys(getClass().getSimpleName().toLowerCase() + "-" + clusters.incrementAndGet());
    }

    /** The next Put or Delete, skipping Resets; fails after {@link #EVENT_DEADLINE}. */
    static WatchEvent nextChange(BlockingQueue<WatchEvent> events) {
        long end = System.nanoTime() + EVENT_DEADLINE.toNanos();
        try {
            while (true) {
                WatchEvent event = events.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new AssertionError("no watch event within " + EVENT_DEADLINE.toMillis() + " ms");
                }
                if (event instanceof WatchEvent.Put || event instanceof WatchEvent.Delete) {
                    return event;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a watch event", e);
        }
    }
}
