package io.pgherd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
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
    void releasedBufferIsNotReported() {
        ByteBufAllocator.DEFAULT.buffer(16).writeLong(42).release();

        assertThat(NettyLeakDetection.collectLeaks()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.buffer(16).writeLong(42);
    }
}
