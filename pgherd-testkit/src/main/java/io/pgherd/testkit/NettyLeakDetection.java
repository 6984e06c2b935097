package io.pgherd.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaks a Netty buffer.
 *
 * <p>Registered for every test class through {@code META-INF/services} and extension
 * auto-detection, so that its static initialiser installs a recording {@link
 * ResourceLeakDetector} before any buffer class is loaded. Netty reports a leak only when a
 * leaked buffer has been garbage collected and another buffer is allocated; after each test this
 * extension drops Netty's stale references to decoded messages, forces both, and fails the test
 * with Netty's access records if anything leaked.
 * Before each test it checks that the level is {@code PARANOID} (every buffer tracked) and that
 * the buffer detector really is the recording one.
 *
 * <p>Forcing collections costs about 100 ms, so a test during which nothing was tracked (no buffer
 * allocated anywhere in the JVM, e.g. a pure routing test) is not checked on its own: it cannot
 * have leaked a buffer it never had. A buffer an earlier test allocated and this one dropped is
 * then found by the next test that allocates, and at the latest after the class's last test,
 * which is always checked.
 */
public final class NettyLeakDetection implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final int SCRUBBED_LIST_DEPTH = 4;
    private static final int SCRUBBED_LIST_ENTRIES = 64;
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    /** Objects the detectors have tracked: in PARANOID mode each tracked allocation asks {@code needReport}. */
    private static final AtomicLong TRACKED = new AtomicLong();
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NettyLeakDetection.class);
    private static volatile boolean trackingBuffers;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("Netty leak detection level is "
                    + ResourceLeakDetector.getLevel()
                    + "; expected PARANOID (-Dio.netty.leakDetection.level=paranoid)");
        }
        ByteBufAllocator.DEFAULT.buffer(1).release();
        if (!trackingBuffers) {
            throw new IllegalStateException("buffers are tracked by Netty's own leak detector,"
                    + " created before NettyLeakDetection was installed; is extension"
                    + " auto-detection enabled in junit-platform.properties?");
        }
        context.getStore(NAMESPACE).put("tracked", TRACKED.get());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Long before = context.getStore(NAMESPACE).get("tracked", Long.class);
        if (before == null || TRACKED.get() != before) {
            failOnLeaks(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        failOnLeaks(context);
    }

    private static void failOnLeaks(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) in "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /**
     * Collects the buffers that became unreachable without being released, and forgets them.
     *
     * @return Netty's report of each leak; empty when nothing leaked
     */
    public static List<String> collectLeaks() {
        scrubDecoderOutputLists();
        for (int round = 0; round < 2; round++) {
            awaitGarbageCollection();
            // The detector polls its reference queue when a buffer is allocated.
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
        List<String> leaks = new ArrayList<>();
        for (String leak = LEAKS.poll(); leak != null; leak = LEAKS.poll()) {
            leaks.add(leak);
        }
        return leaks;
    }

    /**
     * {@code ByteToMessageDecoder} borrows its output list from a per-thread pool whose {@code
     * clear()} keeps the stale entries, so the last messages a test decoded stay reachable, and a
     * leak among them would only show in a later test, or never. Decoding filler through a
     * chain of decoders (each one nests a list) overwrites those entries.
     */
    private static void scrubDecoderOutputLists() {
        EmbeddedChannel channel = new EmbeddedChannel();
        for (int depth = 0; depth < SCRUBBED_LIST_DEPTH; depth++) {
            channel.pipeline().addLast(new FillerDecoder());
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        channel.finishAndReleaseAll();
    }

    /** Emits filler into the borrowed list, then one byte for the next decoder in the chain. */
    private static final class FillerDecoder extends ByteToMessageDecoder {

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            in.skipBytes(in.readableBytes());
            for (int i = 0; i < SCRUBBED_LIST_ENTRIES; i++) {
                out.add(Boolean.TRUE);
            }
            out.add(Unpooled.wrappedBuffer(new byte[1]));
        }
    }

    private static void awaitGarbageCollection() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                System.gc();
                if (queue.remove(100) != null) {
                    return;
                }
            }
            throw new IllegalStateException("no garbage collection within 10 System.gc() calls");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a collection", e);
        } finally {
            Reference.reachabilityFence(sentinel);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval) {
            if (resource == ByteBuf.class) {
                trackingBuffers = true;
            }
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            TRACKED.incrementAndGet();
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + " (no access records)");
        }
    }
}
