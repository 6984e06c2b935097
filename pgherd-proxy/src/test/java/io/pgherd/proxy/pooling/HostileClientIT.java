package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * Malformed and hostile clients get an ErrorResponse with a SQLSTATE and are closed, while a
 * well-behaved pgjdbc client keeps working throughout.
 */
@PostgresCluster(standby = false, replicas = 0)
class HostileClientIT {
    static ProxyFixture proxy;
    private Thread bystander;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong bystanderQueries = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> bystanderErrors = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start(LocalCluster cluster) {
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n  max_message_bytes: 1048576\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @BeforeEach
    void startBystander() {
        bystander = new Thread(() -> {
            try (Connection c = proxy.connect("postgres")) {
                while (!stop.get()) {
                    long n = bystanderQueries.incrementAndGet();
                    if (!value(c, "select " + n).equals(Long.toString(n))) {
                        throw new AssertionError("wrong answer to query " + n);
                    }
                }
            } catch (SQLException | RuntimeException | Error e) {
                bystanderErrors.add(e);
            }
        }, "bystander");
        bystander.start();
    }

    @AfterEach
    void bystanderKeptWorking() throws Exception {
        long before = bystanderQueries.get();
        io.pgherd.testkit.Await.until("the bystander to run more queries", java.time.Duration.ofSeconds(10),
                () -> bystanderQueries.get() > before + 5 || !bystanderErrors.isEmpty());
        stop.set(true);
        bystander.join(10_000);
        assertThat(bystanderErrors).as("errors of the well-behaved client").isEmpty();
    }

    private static byte[] header(char type, int length) {
        return ByteBuffer.allocate(5).put((byte) type).putInt(length).array();
    }

    private static void assertErrorThenClosed(RawClient client, String sqlState) throws Exception {
        RawClient.Message error = client.receiveError();
        assertThat(error.sqlState()).as(error.toString()).isEqualTo(sqlState);
        assertThat(error.fields().get('M')).startsWith("pgherd: ");
        assertThat(client.closedByPeer()).isTrue();
    }

    @Test
    void aFrameWithANegativeLengthIsAProtocolViolation() throws Exception {
        try (RawClient client = RawClient.login(proxy.port(), "postgres", proxy.superuserPassword(), "postgres")) {
            client.sendRaw(header('Q', -12));
            assertErrorThenClosed(client, "08P01");
        }
    }

    @Test
    void aFrameLongerThanMaxMessageBytesIsRefusedBeforeItsBodyArrives() throws Exception {
        try (RawClient client = RawClient.login(proxy.port(), "postgres", proxy.superuserPassword(), "postgres")) {
            client.sendRaw(header('Q', Integer.MAX_VALUE));
            RawClient.Message error = client.receiveError();
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(error.fields().get('M')).contains("1048576");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void anUnknownMessageTypeAfterStartupIsAProtocolViolation() throws Exception {
        try (RawClient client = RawClient.login(proxy.port(), "postgres", proxy.superuserPassword(), "postgres")) {
            client.query("select 1");
            RawClient.Message m;
            do {
                m = client.receive();
            } while (m.type() != 'Z');
            client.sendRaw(new byte[] {'z', 0, 0, 0, 8, 1, 2, 3, 4});
            assertErrorThenClosed(client, "08P01");
        }
    }

    @Test
    void aGarbageStartupPacketIsRefused() throws Exception {
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.sendRaw(new byte[] {0, 0, 0, 16, 0x12, 0x34, 0x56, 0x78, 'g', 'a', 'r', 'b', 'a', 'g', 'e', 0});
            RawClient.Message error = client.receiveError();
            assertThat(error.sqlState()).as(error.toString()).isNotBlank().matches("[0-9A-Z]{5}");
            assertThat(client.closedByPeer()).isTrue();
        }
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.sendRaw(new byte[] {0, 0, 0, 3, 'x', 'y', 'z', 'w'});
            assertErrorThenClosed(client, "08P01");
        }
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 0, 3, 0, 0});
            assertErrorThenClosed(client, "08P01");
        }
    }

    @Test
    void aMessageOtherThanAnAuthenticationResponseDuringLoginIsRefused() throws Exception {
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.send(new io.pgherd.protocol.StartupMessage(java.util.Map.of("user", "postgres", "database", "postgres")));
            assertThat(client.receive().type()).isEqualTo('R');
            client.query("select 1");
            assertErrorThenClosed(client, "08P01");
        }
    }
}
