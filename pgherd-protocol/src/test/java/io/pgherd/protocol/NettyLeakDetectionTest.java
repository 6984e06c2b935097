package io.pgherd.protocol;

import io.pgherd.testkit.NettyLeakDetection;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionTest {

    @Test
    void unreleasedBufferIsReportedWithTheAllocatingMethod() {
        leakOneBuffer();

        List<String> leaks = NettyLeakDetection.collectLeaks();

        assertThat(leaks).singleElement().asString()
                .startsWith("LEAK: ByteBuf")
                .contains("leakOneBuffer");
    }

    @Test
    void unreleasedDecodedFrameIsReportedInTheTestThatLeakedIt() {
        leakOneFrame();

        List<String> leaks = NettyLeakDetection.collectLeaks();

        assertThat(leaks).as("the frame's slice and the receive buffer it holds").hasSize(2)
                .allSatisfy(leak -> assertThat(leak).contains("leakOneFrame"));
    }

    @Test
    void releasedBufferIsNotReported() {
        ByteBufAllocator.DEFAULT.buffer(16).writeLong(42).release();

        assertThat(NettyLeakDetection.collectLeaks()).isEmpty();
    }

    private static void leakOneFrame() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(1024));
        channel.writeInbound(TestBytes.buffer("53 00000004 53 00000004"));
        channel.readInbound();
        channel.finishAndReleaseAll();
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.buffer(16).writeLong(42);
    }
}
