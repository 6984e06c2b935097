package io.pgherd.proxy.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.Proxy;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.proxy.session.ClientHandle;
import io.pgherd.testkit.PostgresCluster;

/**
 * A client that reads a huge result slowly makes the proxy stop reading from the server instead of
 * buffering: while over 500 MB flow, what the proxy holds for the client (bytes written but not yet
 * taken by its socket) stays small, and so does the heap. Without backpressure the proxy would hold
 * most of the result while the reader stalls.
 */
@PostgresCluster(standby = false, replicas = 0)
class LargeResultBackpressureIT {
    private static final long MB = 1 << 20;
    private static final int ROW_BYTES = 8000;
    private static final int ROWS = 66_000;
    /** The reader stalls after every chunk this big, as a slow consumer would. */
    private static final long CHUNK = 16 * MB;
    private static final long BUFFER_BOUND = 8 * MB;
    private static final long HEAP_BOUND = 64 * MB;

    @Test
    void aSlowReaderOfAHugeResultMakesTheProxyStopReadingInsteadOfBuffering(LocalCluster cluster) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 1\n")) {
            try (RawClient client = RawClient.login(proxy.port(), "postgres", proxy.superuserPassword(), "postgres")) {
                long heapBefore = usedHeapAfterGc();
                long maxBuffered = 0;
                long maxHeapGrowth = 0;
                client.query("copy (select repeat('x', " + ROW_BYTES + ") from generate_series(1, " + ROWS + ")) to stdout");
                long received = 0;
                long nextStall = CHUNK;
                int stalls = 0;
                int rows = 0;
                while (true) {
                    RawClient.Message m = client.receive();
                    received += 5 + m.body().length;
                    if (m.type() == 'd') {
                        rows++;
                    } else if (m.type() == 'E') {
                        throw new AssertionError("error during COPY: " + m);
                    } else if (m.type() == 'Z') {
                        break;
                    }
                    if (received >= nextStall) {
                        nextStall += CHUNK;
                        // The stall of a slow consumer (not a wait for a condition): the server keeps producing.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60));
                        maxBuffered = Math.max(maxBuffered, buffered(proxy.proxy()));
                        if (++stalls % 8 == 0) {
                            maxHeapGrowth = Math.max(maxHeapGrowth, usedHeapAfterGc() - heapBefore);
                        }
                    }
                }
                assertThat(rows).isEqualTo(ROWS);
                assertThat(received).isGreaterThan(500 * MB);
                assertThat(stalls).isGreaterThan(30);
                assertThat(maxBuffered).as("bytes the proxy held for the stalled client").isLessThan(BUFFER_BOUND);
                assertThat(maxHeapGrowth).as("heap held (after GC) while the reader stalled").isLessThan(HEAP_BOUND);
            }
        }
    }

    private static long buffered(Proxy proxy) {
        return proxy.clients().stream().mapToLong(ClientHandle::bufferedBytes).sum();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
