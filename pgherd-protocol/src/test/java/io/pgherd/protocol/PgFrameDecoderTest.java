package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;
import static io.pgherd.protocol.TestBytes.bytes;
import static io.pgherd.protocol.TestBytes.hex;
import static io.pgherd.protocol.TestBytes.normalize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgFrameDecoderTest {

    private static final int MAX = 1024;

    /** Query, Parse, Bind, Execute, Sync and Terminate, plus a 300-byte CopyData. */
    private static final String STREAM = "51 0000000d 53454c454354203100"
            + "50 0000000d 00 424547494e00 0000"
            + "42 0000000c 00 00 0000 0000 0000"
            + "45 00000009 00 00000000"
            + "53 00000004"
            + "64 00000130 " + "ab".repeat(300)
            + "58 00000004";

    private static final List<String> EXPECTED = List.of(
            "Q:53454c454354203100",
            "P:00424547494e000000",
            "B:0000000000000000",
            "E:0000000000",
            "S:",
            "d:" + "ab".repeat(300),
            "X:");

    @Test
    void streamSplitAtEveryByteBoundaryYieldsTheSameFrames() {
        byte[] stream = bytes(STREAM);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
            channel.writeInbound(slice(stream, 0, split));
            channel.writeInbound(slice(stream, split, stream.length));

            assertThat(readAll(channel)).as("split at byte %d", split).isEqualTo(EXPECTED);
            assertThat(channel.finish()).as("nothing left over").isFalse();
        }
    }

    @Test
    void streamFedOneByteAtATimeYieldsTheSameFrames() {
        byte[] stream = bytes(STREAM);
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        for (int i = 0; i < stream.length; i++) {
            channel.writeInbound(slice(stream, i, i + 1));
        }

        assertThat(readAll(channel)).isEqualTo(EXPECTED);
        assertThat(channel.finish()).as("nothing left over").isFalse();
    }

    @Test
    void frameBodyIsASliceOfTheReceiveBufferNotACopy() {
        byte[] stream = bytes(STREAM);
        ByteBuf input =
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(stream.length).writeBytes(stream);
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));

        channel.writeInbound(input);
        Frame query = channel.readInbound();

        assertThat(query.content().array()).isSameAs(input.array());
        assertThat(query.content().arrayOffset()).isEqualTo(5);
        query.release();
        releaseAll(channel);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void receiveBufferIsReleasedOnceEveryFrameIsReleased() {
        ByteBuf input = buffer(STREAM);
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));

        channel.writeInbound(input);
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add(frame);
        }
        assertThat(channel.finish()).isFalse();

        assertThat(frames).hasSize(7).allSatisfy(frame -> assertThat(frame.refCnt()).isEqualTo(1));
        assertThat(input.refCnt()).as("held by the frames").isPositive();
        frames.forEach(Frame::release);
        assertThat(input.refCnt()).isZero();
    }

    @Test
    void messageOfExactlyTheMaximumLengthIsAccepted() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(10));
        channel.writeInbound(buffer("64 0000000a 010203040506"));

        assertThat(readAll(channel)).containsExactly("d:010203040506");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void lengthOverTheMaximumFailsAsSoonAsTheHeaderArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(10));

        assertThatThrownBy(() -> channel.writeInbound(buffer("64 0000000b")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("message 'd' declares length 11 bytes; expected 4 to 10")
                .extracting(e -> ((ProtocolException) e).sqlState()).isEqualTo("08P01");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void hugeLengthFailsWithoutWaitingForTheBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));

        assertThatThrownBy(() -> channel.writeInbound(buffer("51 7fffffff 53")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("message 'Q' declares length 2147483647 bytes; expected 4 to 1024");
    }

    @Test
    void negativeLengthIsAProtocolViolation() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));

        assertThatThrownBy(() -> channel.writeInbound(buffer("51 ffffffff")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("message 'Q' declares length -1 bytes; expected 4 to 1024");
    }

    @Test
    void lengthBelowFourIsAProtocolViolation() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));

        assertThatThrownBy(() -> channel.writeInbound(buffer("00 00000003")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("message 0x00 declares length 3 bytes; expected 4 to 1024");
    }

    @Test
    void inputAfterAnErrorIsDiscarded() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        assertThatThrownBy(() -> channel.writeInbound(buffer("51 ffffffff 53 00000004")))
                .isInstanceOf(ProtocolException.class);

        channel.writeInbound(buffer("53 00000004"));

        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void connectionClosedInsideABodyIsATruncatedMessage() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        channel.writeInbound(buffer("53 00000004 51 0000000d 53454c45"));
        Frame sync = channel.readInbound();
        sync.release();

        assertThatThrownBy(channel::finish)
                .isInstanceOf(ProtocolException.class)
                .hasMessage("connection closed after 9 of the 14 bytes of message 'Q'");
    }

    @Test
    void connectionClosedInsideAHeaderIsATruncatedMessage() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(MAX));
        channel.writeInbound(buffer("51 0000"));

        assertThatThrownBy(channel::finish)
                .isInstanceOf(ProtocolException.class)
                .hasMessage("connection closed after 3 of the 5 header bytes of a message");
    }

    @Test
    void maximumBelowFourIsRejected() {
        assertThatThrownBy(() -> new PgFrameDecoder(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageLength must be >= 4 bytes (got 3)");
    }

    @Test
    void frameEncoderWritesTheDecodedFramesBackByteForByte() {
        EmbeddedChannel inbound = new EmbeddedChannel(new PgFrameDecoder(MAX));
        EmbeddedChannel outbound = new EmbeddedChannel(FrameEncoder.INSTANCE);
        inbound.writeInbound(buffer(STREAM));
        for (Frame frame = inbound.readInbound(); frame != null; frame = inbound.readInbound()) {
            outbound.writeOutbound(frame);
        }

        StringBuilder written = new StringBuilder();
        for (ByteBuf buf = outbound.readOutbound(); buf != null; buf = outbound.readOutbound()) {
            written.append(hex(buf));
            buf.release();
        }
        assertThat(written.toString()).isEqualTo(normalize(STREAM));
        assertThat(inbound.finish()).isFalse();
        assertThat(outbound.finish()).isFalse();
    }

    private static ByteBuf slice(byte[] stream, int from, int to) {
        int length = to - from;
        return UnpooledByteBufAllocator.DEFAULT.buffer(length).writeBytes(stream, from, length);
    }

    /** Reads and releases every frame, as {@code type:bodyhex}. */
    private static List<String> readAll(EmbeddedChannel channel) {
        List<String> frames = new ArrayList<>();
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add((char) frame.type() + ":" + hex(frame.content()));
            frame.release();
        }
        return frames;
    }

    private static void releaseAll(EmbeddedChannel channel) {
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frame.release();
        }
    }
}
