package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;
import static io.pgherd.protocol.TestBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PgMessageEncoderTest {

    @Test
    void recordIsWrittenAsItsWireBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(PgMessageEncoder.INSTANCE);

        channel.writeOutbound(new Query("SELECT 1"), ReadyForQuery.IDLE);

        assertThat(readHex(channel)).isEqualTo("510000000d53454c454354203100");
        assertThat(readHex(channel)).isEqualTo("5a0000000549");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void frameIsWrittenWithoutCopyingItsBody() {
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        Frame frame = new Frame((byte) 'd', buffer("010203"));
        ByteBuf body = frame.content();

        channel.writeOutbound(frame);

        assertThat(readHex(channel)).isEqualTo("6400000007");
        ByteBuf written = channel.readOutbound();
        assertThat(written).isSameAs(body);
        assertThat(hex(written)).isEqualTo("010203");
        assertThat(written.release()).as("the frame's own reference was released").isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bothEncodersShareOnePipeline() {
        EmbeddedChannel channel =
                new EmbeddedChannel(FrameEncoder.INSTANCE, PgMessageEncoder.INSTANCE);

        channel.writeOutbound(new Frame((byte) 'S', buffer("")), Sync.INSTANCE);

        assertThat(readHex(channel)).isEqualTo("5300000004");
        assertThat(readHex(channel)).isEqualTo("");
        assertThat(readHex(channel)).isEqualTo("5300000004");
        assertThat(channel.finish()).isFalse();
    }

    private static String readHex(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        try {
            return hex(buf);
        } finally {
            buf.release();
        }
    }
}
