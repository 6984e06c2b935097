package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.TcpProxy;
import io.pgherd.testkit.TestDirectories;

/**
 * {@link LeaseGuard} on a real etcd: the guard renews the member's session by itself, fences (stops
 * PostgreSQL, here a counter) a leader whose session is closed at once and one cut off from the store
 * before its leader key can vanish, and never fences a member that does not hold the key. The fence is
 * the guard's own callback, so what it would stop is not needed to see when it acts.
 */
class LeaseGuardIT {
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private static EtcdServer etcd;
    private static Dcs observer;
    private final ConcurrentLinkedQueue<AutoCloseable> closeAfterTest = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startEtcd() {
        Path directory = TestDirectories.create("lease-guard");
        etcd = EtcdServer.start(directory);
        observer = Dcs.connect(DcsAddress.parse(etcd.url()), Duration.ofSeconds(5));
        // The JVM's first etcd call loads and starts the client's machinery, which on a busy machine can take
        // longer than one operation may wait: done here once, not inside the first test's timings.
        Await.success("etcd grants a first session", Duration.ofSeconds(60), () -> {
            observer.openSession(TTL).close();
            return null;
        });
    }

    @AfterAll
    static void stopEtcd() {
        if (observer != null) {
            observer.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void closeEach() throws Exception {
        List<AutoCloseable> newestFirst = new ArrayList<>(closeAfterTest);
        Collections.reverse(newestFirst);
        for (AutoCloseable each : newestFirst) {
            each.close();
        }
        closeAfterTest.clear();
    }

    @Test
    void aLeaderWhoseRenewalsAreAnsweredIsNeverFencedAndItsSessionOutlivesItsTtl() {
        Dcs dcs = connect(DcsAddress.parse(etcd.url()));
        Session session = dcs.openSession(TTL);
        String leader = keys().leader();
        dcs.createEphemeral(leader, "n1", session).orElseThrow();
        AtomicInteger fenced = new AtomicInteger();
        LeaseGuard guard = guard(session, fenced::incrementAndGet);
        guard.holdsLeaderKey(true);

        long opened = System.nanoTime();
        // Nobody but the guard renews this session: a proven expiry beyond two TTLs from its opening is its work.
        Await.until("the guard's renewals keep the session proven beyond two TTLs", DEADLINE.plus(TTL.multipliedBy(2)),
                () -> session.expiresNotBeforeNanos() - opened > TTL.multipliedBy(2).toNanos());
        assertThat(fenced.get()).as("fences of a leader whose renewals are answered").isZero();
        assertThat(guard.confirmed()).isTrue();
        assertThat(observer.get(leader)).as("the leader key, kept alive by the guard's renewals").isPresent();
    }

    @Test
    void aLeaderWhoseSessionIsClosedIsFencedAtOnce() {
        Dcs dcs = connect(DcsAddress.parse(etcd.url()));
        Session session = dcs.openSession(TTL);
        dcs.createEphemeral(keys().leader(), "n1", session).orElseThrow();
        AtomicInteger fenced = new AtomicInteger();
        LeaseGuard guard = guard(session, fenced::incrementAndGet);
        guard.holdsLeaderKey(true);
        Await.until("the guard confirms the new session", DEADLINE, guard::confirmed);

        long closed = System.nanoTime();
        session.close();
        Await.until("the guard fences a leader whose session is closed", DEADLINE, () -> fenced.get() > 0);
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).as("from the session's close to the fence")
                .isLessThan(TTL);
        assertThat(guard.confirmed()).isFalse();
        assertThat(fenced.get()).as("fences: once, then the guard knows the member no longer holds the key").isOne();
    }

    @Test
    void aMemberThatDoesNotHoldTheLeaderKeyIsNotFencedWhenItsSessionEnds() {
        Dcs dcs = connect(DcsAddress.parse(etcd.url()));
        Session session = dcs.openSession(TTL);
        AtomicInteger follower = new AtomicInteger();
        AtomicInteger leader = new AtomicInteger();
        guard(session, follower::incrementAndGet).holdsLeaderKey(false);
        // A second guard on the same session holds the key: each of its fences comes one tick (0.1 s) after
        // the key is given back to it, so after its third fence the first guard has ticked on the closed
        // session too, at the same rate.
        LeaseGuard holder = guard(session, leader::incrementAndGet);
        holder.holdsLeaderKey(true);

        session.close();
        for (int fences = 1; fences <= 3; fences++) {
            int expected = fences;
            Await.until("the key holder's guard fences (" + fences + ")", DEADLINE, () -> leader.get() >= expected);
            holder.holdsLeaderKey(true);
        }
        assertThat(follower.get()).as("fences of a member that does not hold the leader key").isZero();
    }

    @Test
    void aLeaderCutOffFromTheDcsIsFencedWhileItsKeyIsStillThere() {
        InetSocketAddress server = DcsAddress.parse(etcd.url()).servers().get(0);
        TcpProxy link = TcpProxy.to(server.getHostString(), server.getPort());
        closeAfterTest.add(link);
        Dcs dcs = connect(new DcsAddress(DcsAddress.parse(etcd.url()).backend(), List.of(link.address())));
        Session session = dcs.openSession(TTL);
        String leaderKey = keys().leader();
        dcs.createEphemeral(leaderKey, "n1", session).orElseThrow();
        AtomicInteger fenced = new AtomicInteger();
        ConcurrentLinkedQueue<Boolean> keyPresentAtFence = new ConcurrentLinkedQueue<>();
        LeaseGuard guard = guard(session, () -> {
            keyPresentAtFence.add(observer.get(leaderKey).isPresent());
            fenced.incrementAndGet();
        });
        guard.holdsLeaderKey(true);
        Await.until("the guard confirms the session", DEADLINE, guard::confirmed);

        long cut = System.nanoTime();
        link.freeze();
        Await.until("the guard fences the cut-off leader", DEADLINE, () -> fenced.get() > 0);
        assertThat(Duration.ofNanos(System.nanoTime() - cut)).as("from the cut to the fence").isLessThan(TTL);
        assertThat(keyPresentAtFence).as("the leader key, read by another client when the fence ran").containsExactly(true);
        Await.until("the store deletes the silent session's key", DEADLINE, () -> observer.get(leaderKey).isEmpty());
        assertThat(fenced.get()).as("fences").isOne();
    }

    private LeaseGuard guard(Session session, Runnable fence) {
        LeaseGuard guard = new LeaseGuard("n1", () -> session, fence).start();
        closeAfterTest.add(guard);
        return guard;
    }

    private Dcs connect(DcsAddress address) {
        Dcs dcs = Dcs.connect(address, Duration.ofSeconds(5));
        closeAfterTest.add(dcs);
        return dcs;
    }

    private static ClusterKeys keys() {
        return new ClusterKeys("lease-guard-" + System.nanoTime());
    }
}
