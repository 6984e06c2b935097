package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * The write gate closing and opening while writes are decided, borrowed and linked: every held write
 * must run once the gate opens. A write whose idle server was handed over in the instant the gate
 * closed was held with the finished borrow still recorded as pending, so the gate's release skipped it
 * and it failed with 57P03 after hold_timeout although the gate had long been open again.
 */
@PostgresCluster(standby = false, replicas = 0)
class WriteGateRaceIT {
    private static final int CLIENTS = 4;
    private static final Duration LOAD = Duration.ofSeconds(6);

    @Test
    void writesHeldWhileTheGateFlickersAllRunOnceItOpens(LocalCluster cluster) throws Exception {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("create table gate_race (id bigserial primary key)");
        }
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  cluster:\n    hold_timeout: 3s\n")) {
            WriteGate gate = proxy.proxy().writes();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong inserts = new AtomicLong();
            ConcurrentLinkedQueue<SQLException> errors = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Connection c = proxy.connect("postgres");
                Thread client = new Thread(() -> {
                    try (c; Statement s = c.createStatement()) {
                        while (running.get()) {
                            s.execute("insert into gate_race default values");
                            inserts.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        errors.add(e);
                    }
                }, "gate-race-client-" + i);
                client.start();
                clients.add(client);
            }
            long holdsBefore = proxy.proxy().stats().writeHolds.sum();
            long end = System.nanoTime() + LOAD.toNanos();
            // The fault: writes held and released again and again, each for up to a millisecond.
            while (System.nanoTime() - end < 0 && errors.isEmpty()) {
                gate.close(WriteGate.Reason.SWITCHOVER);
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000));
                gate.clear(WriteGate.Reason.SWITCHOVER);
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000));
            }
            running.set(false);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(30).toMillis());
                assertThat(t.isAlive()).as("a client still blocked after the load").isFalse();
            }

            assertThat(errors).as("errors of clients whose writes were held while the gate flickered").isEmpty();
            assertThat(proxy.proxy().stats().writeHolds.sum() - holdsBefore).as("writes held").isPositive();
            assertThat(inserts.get()).as("writes done").isPositive();
        }
    }
}
