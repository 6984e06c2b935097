package io.pgherd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/** Hex literals and codec shortcuts for tests. Every buffer made here is tracked for leaks. */
final class TestBytes {

    private TestBytes() {
    }

    /** The bytes of a hex literal; spaces between fields are for the reader and ignored. */
    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    /** A new pooled buffer holding the bytes of a hex literal; the caller owns it. */
    static ByteBuf buffer(String hex) {
        byte[] bytes = bytes(hex);
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    /** The readable bytes as lower-case hex without spaces; does not release. */
    static String hex(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    /** A hex literal without its spaces. */
    static String normalize(String hex) {
        return hex.replace(" ", "");
    }

    /** The bytes {@code message.encode} writes, as hex. */
    static String encode(PgMessage message) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            message.encode(out);
            return hex(out);
        } finally {
            out.release();
        }
    }

    /** Runs one whole message through a {@link PgFrameDecoder}; the caller owns the frame. */
    static Frame frame(String hex) {
        List<Frame> frames = frames(hex);
        assertThat(frames).hasSize(1);
        return frames.get(0);
    }

    /** Runs whole messages through a {@link PgFrameDecoder}; the caller owns the frames. */
    static List<Frame> frames(String hex) {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(1 << 20));
        channel.writeInbound(buffer(hex));
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add(frame);
        }
        assertThat(channel.finish()).as("nothing left over").isFalse();
        return frames;
    }
}
