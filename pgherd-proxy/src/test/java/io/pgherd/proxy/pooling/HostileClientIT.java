package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * Malformed and hostile clients are answered as PostgreSQL answers them (an ErrorResponse with a
 * SQLSTATE, or for a startup packet of impossible length a close without a word) and are closed,
 * while a well-behaved pgjdbc client keeps working throughout.
 */
@PostgresCluster(standby = false, replicas = 0)
class HostileClientIT {
    static ProxyFixture proxy;
    static LocalCluster cluster;
    private Thread bystander;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong bystanderQueries = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> bystanderErrors = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n    client_login_timeout: 2s\n"
                + "  max_message_bytes: 1048576\n");
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

    /**
     * Each malformed startup packet is sent to PostgreSQL directly and to the proxy: both answer it
     * alike, with a FATAL error of the same SQLSTATE or (an impossible length, a packet cut short, a
     * client that connects and leaves at once) by closing without a word, as the postmaster's
     * ProcessStartupPacket does.
     */
    @Test
    void aMalformedStartupPacketIsAnsweredAsPostgresAnswersIt() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("nothing at all", new byte[0]);
        cases.put("half a length word", new byte[] {0, 0});
        cases.put("length 3", new byte[] {0, 0, 0, 3, 'x', 'y', 'z', 'w'});
        cases.put("negative length", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 0, 3, 0, 0});
        cases.put("an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        cases.put("a packet cut short", new byte[] {0, 0, 0, 40, 0, 3, 0, 0, 'u', 's'});
        cases.put("protocol 4660.22136", new byte[] {0, 0, 0, 16, 0x12, 0x34, 0x56, 0x78, 'g', 'a', 'r', 'b', 'a', 'g', 'e', 0});
        int direct = cluster.primary().port();
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            assertThat(answer(proxy.port(), c.getValue())).as(c.getKey())
                    .isEqualTo(answer(direct, c.getValue()));
        }
        assertThat(answer(proxy.port(), cases.get("length 3"))).isEqualTo("closed without a message");
        assertThat(answer(proxy.port(), cases.get("protocol 4660.22136"))).isEqualTo("FATAL 0A000");
    }

    /** How a server answers {@code bytes} sent as a connection's first and last: its error's SQLSTATE, or nothing. */
    private static String answer(int port, byte[] bytes) throws Exception {
        try (RawClient client = RawClient.connect(port)) {
            client.sendRaw(bytes);
            client.socket().shutdownOutput();
            int first = client.input().read();
            if (first < 0) {
                return "closed without a message";
            }
            if (first != 'E') {
                return "answered with message type " + (char) first;
            }
            int length = new java.io.DataInputStream(client.input()).readInt();
            byte[] body = client.input().readNBytes(length - 4);
            RawClient.Message error = new RawClient.Message('E', body);
            assertThat(client.closedByPeer()).as("closed after " + error).isTrue();
            return error.fields().get('S') + " " + error.sqlState();
        }
    }

    @Test
    void aClientThatDoesNotStartItsLoginWithinClientLoginTimeoutIsClosedWithoutAMessage() throws Exception {
        try (RawClient client = RawClient.connect(proxy.port())) {
            long start = System.nanoTime();
            assertThat(client.input().read()).as("nothing is sent, as by PostgreSQL at authentication_timeout").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(9));
        }
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.sendRaw(new byte[] {0, 0, 0, 40, 0, 3, 0, 0});
            assertThat(client.input().read()).as("half a startup packet, then silence").isEqualTo(-1);
        }
    }

    @Test
    void aClientThatDoesNotFinishAuthenticatingWithinClientLoginTimeoutIsToldAndClosed() throws Exception {
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.send(new io.pgherd.protocol.StartupMessage(Map.of("user", "postgres", "database", "postgres")));
            assertThat(client.receive().type()).as("the SASL challenge").isEqualTo('R');
            long start = System.nanoTime();
            RawClient.Message error = client.receiveError();
            assertThat(error.sqlState()).as(error.toString()).isEqualTo("08P01");
            assertThat(error.fields().get('M')).startsWith("pgherd: client_login_timeout (2000 ms) passed before the client authenticated");
            assertThat(client.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
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
