package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;
import static io.pgherd.protocol.TestBytes.bytes;
import static io.pgherd.protocol.TestBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class StartupPacketDecoderTest {

    private static final String STARTUP =
            "00000021 00030000 7573657200 616c69636500 646174616261736500 61707000 00";
    private static final String QUERY = "51 0000000d 53454c454354203100";
    private static final String TERMINATE = "58 00000004";

    private final EmbeddedChannel channel = new EmbeddedChannel(new StartupPacketDecoder(1024));

    @Test
    void startupMessageCarriesVersionAndParametersInOrder() {
        channel.writeInbound(buffer(STARTUP));

        StartupMessage startup = channel.readInbound();
        assertThat(startup.protocolVersion()).isEqualTo(StartupMessage.PROTOCOL_3_0);
        assertThat(startup.parameters()).containsExactly(
                Map.entry("user", "alice"), Map.entry("database", "app"));
        assertThat(startup.user()).isEqualTo("alice");
        assertThat(startup.database()).isEqualTo("app");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void laterMinorVersionOfProtocol3IsAcceptedForNegotiation() {
        channel.writeInbound(buffer("00000010 00030002 7573657200 6100 00"));

        StartupMessage startup = channel.readInbound();
        assertThat(startup.protocolVersion()).isEqualTo(0x00030002);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sslRequestIsDecodedAndTheNextPacketAwaited() {
        channel.writeInbound(buffer("00000008 04d2162f"));
        assertThat(channel.<Object>readInbound()).isEqualTo(SSLRequest.INSTANCE);

        channel.writeInbound(buffer(STARTUP));
        assertThat(channel.<Object>readInbound()).isInstanceOf(StartupMessage.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void gssEncRequestIsDecodedAndTheNextPacketAwaited() {
        channel.writeInbound(buffer("00000008 04d21630"));
        assertThat(channel.<Object>readInbound()).isEqualTo(GSSENCRequest.INSTANCE);

        channel.writeInbound(buffer("00000008 04d2162f"));
        assertThat(channel.<Object>readInbound()).isEqualTo(SSLRequest.INSTANCE);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void cancelRequestCarriesProcessIdAndSecretKey() {
        channel.writeInbound(buffer("00000010 04d2162e 000004d2 5678abcd"));

        assertThat(channel.<Object>readInbound()).isEqualTo(new CancelRequest(1234, 0x5678abcd));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void startupMessageHandsTheStreamToAFrameDecoderUnderTheSameName() {
        EmbeddedChannel named = new EmbeddedChannel();
        named.pipeline().addLast("decoder", new StartupPacketDecoder(1024));

        named.writeInbound(buffer(STARTUP + QUERY + TERMINATE));

        assertThat(named.<Object>readInbound()).isInstanceOf(StartupMessage.class);
        assertThat(named.pipeline().get("decoder")).isInstanceOf(PgFrameDecoder.class);
        assertThat(named.pipeline().get(StartupPacketDecoder.class)).isNull();
        assertThat(readFrames(named)).containsExactly("Q:53454c454354203100", "X:");
        assertThat(named.finish()).isFalse();
    }

    @Test
    void streamSplitAtEveryByteBoundaryYieldsTheSameMessages() {
        byte[] stream = bytes(STARTUP + QUERY + TERMINATE);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel fresh = new EmbeddedChannel(new StartupPacketDecoder(1024));
            fresh.writeInbound(slice(stream, 0, split));
            fresh.writeInbound(slice(stream, split, stream.length));

            assertThat(fresh.<Object>readInbound()).as("split at %d", split)
                    .isInstanceOf(StartupMessage.class);
            assertThat(readFrames(fresh)).as("split at %d", split)
                    .containsExactly("Q:53454c454354203100", "X:");
            assertThat(fresh.finish()).as("nothing left over").isFalse();
        }
    }

    @Test
    void streamFedOneByteAtATimeYieldsTheSameMessages() {
        byte[] stream = bytes("00000008 04d2162f");
        for (int i = 0; i < stream.length; i++) {
            channel.writeInbound(slice(stream, i, i + 1));
        }
        assertThat(channel.<Object>readInbound()).isEqualTo(SSLRequest.INSTANCE);

        stream = bytes(STARTUP + QUERY);
        for (int i = 0; i < stream.length; i++) {
            channel.writeInbound(slice(stream, i, i + 1));
        }
        assertThat(channel.<Object>readInbound()).isInstanceOf(StartupMessage.class);
        assertThat(readFrames(channel)).containsExactly("Q:53454c454354203100");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bytesSentTogetherWithSslRequestAreRejected() {
        assertRejected("00000008 04d2162f " + STARTUP)
                .hasMessage("received 33 unencrypted bytes together with SSLRequest;"
                        + " expected nothing before the response");
        assertThat(channel.<Object>readInbound()).as("SSLRequest not emitted").isNull();
    }

    @Test
    void bytesSentTogetherWithGssEncRequestAreRejected() {
        assertRejected("00000008 04d21630 00")
                .hasMessage("received 1 unencrypted bytes together with GSSENCRequest;"
                        + " expected nothing before the response");
    }

    @Test
    void bytesAfterCancelRequestAreRejected() {
        channel.writeInbound(buffer("00000010 04d2162e 000004d2 5678abcd"));
        assertThat(channel.<Object>readInbound()).isInstanceOf(CancelRequest.class);

        assertRejected("00")
                .hasMessage("received 1 bytes after a CancelRequest;"
                        + " expected the client to close the connection");
    }

    @Test
    void lengthBelowEightIsRejected() {
        assertRejected("00000004 00030000")
                .hasMessage("invalid startup packet length 4 bytes; expected 8 to 10000");
    }

    @Test
    void negativeLengthIsRejected() {
        assertRejected("ffffffff 00030000")
                .hasMessage("invalid startup packet length -1 bytes; expected 8 to 10000");
    }

    @Test
    void lengthOverTenThousandIsRejectedBeforeTheBodyArrives() {
        assertRejected("00002711 00030000")
                .hasMessage("invalid startup packet length 10001 bytes; expected 8 to 10000");
    }

    @Test
    void httpRequestIsRejectedByItsLength() {
        assertRejected("474554202f20485454502f312e310d0a")
                .hasMessage("invalid startup packet length 1195725856 bytes; expected 8 to 10000");
    }

    @Test
    void sslRequestOfWrongLengthIsRejected() {
        assertRejected("0000000c 04d2162f 00000000")
                .hasMessage("SSLRequest declares length 12 bytes; expected 8");
    }

    @Test
    void gssEncRequestOfWrongLengthIsRejected() {
        assertRejected("00000009 04d21630")
                .hasMessage("GSSENCRequest declares length 9 bytes; expected 8");
    }

    @Test
    void cancelRequestOfWrongLengthIsRejected() {
        assertRejected("0000000c 04d2162e 000004d2")
                .hasMessage("CancelRequest declares length 12 bytes; expected 16");
    }

    @Test
    void protocolVersion2IsNotSupported() {
        assertRejected("00000008 00020000")
                .hasMessage("unsupported frontend protocol 2.0; expected 3.x")
                .extracting(e -> ((ProtocolException) e).sqlState()).isEqualTo("0A000");
    }

    @Test
    void parameterListWithoutTerminatorIsRejected() {
        assertRejected("00000013 00030000 7573657200 616c69636500")
                .hasMessage("malformed StartupMessage message:"
                        + " parameter list does not end with an empty name");
    }

    @Test
    void valueWithoutNulIsRejected() {
        assertRejected("00000011 00030000 7573657200 616c6963")
                .hasMessage("malformed StartupMessage message: value of parameter user is not"
                        + " NUL-terminated (4 bytes left without a NUL)");
    }

    @Test
    void bytesAfterTheTerminatorAreRejected() {
        assertRejected("00000015 00030000 7573657200 616c69636500 00 ff")
                .hasMessage("malformed StartupMessage message:"
                        + " 1 more bytes after the last field; expected none");
    }

    @Test
    void repeatedParameterIsRejected() {
        assertRejected("00000017 00030000 7573657200 6100 7573657200 6200 00")
                .hasMessage("malformed StartupMessage message:"
                        + " parameter user appears more than once");
    }

    @Test
    void startupMessageWithoutUserIsRejected() {
        assertRejected("00000016 00030000 646174616261736500 61707000 00")
                .hasMessage("StartupMessage has no user parameter; expected a user name")
                .extracting(e -> ((ProtocolException) e).sqlState()).isEqualTo("28000");
    }

    @Test
    void connectionClosedInsideAPacketIsATruncatedPacket() {
        channel.writeInbound(buffer("00000021 00030000 7573"));

        assertThatThrownBy(channel::finish)
                .isInstanceOf(ProtocolException.class)
                .hasMessage("connection closed after 10 bytes of a startup packet"
                        + " that declares 33 bytes");
    }

    /**
     * PostgreSQL's postmaster (ProcessStartupPacket) only logs an invalid length or a truncated
     * packet (COMMERROR) and closes; it answers a bad protocol version or parameter list with FATAL.
     */
    @Test
    void invalidLengthsAndTruncatedPacketsAreNotAnsweredButBadContentIs() {
        for (String hex : List.of("00000004 00030000", "ffffffff 00030000", "474554202f20485454502f312e310d0a",
                "0000000c 04d2162f 00000000", "0000000c 04d2162e 000004d2")) {
            assertThat(new StartupPacketDecoderTest().rejection(hex).answered()).as(hex).isFalse();
        }
        for (String hex : List.of("00000008 00020000", "00000013 00030000 7573657200 616c69636500")) {
            assertThat(new StartupPacketDecoderTest().rejection(hex).answered()).as(hex).isTrue();
        }
        channel.writeInbound(buffer("00000021 00030000 7573"));
        assertThatThrownBy(channel::finish).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.answered()).isFalse());
    }

    private ProtocolException rejection(String hex) {
        try {
            channel.writeInbound(buffer(hex));
        } catch (ProtocolException e) {
            channel.finishAndReleaseAll();
            return e;
        }
        throw new AssertionError("accepted " + hex);
    }

    @Test
    void inputAfterAnErrorIsDiscarded() {
        assertRejected("00000004 00030000");

        channel.writeInbound(buffer(STARTUP));

        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String hex) {
        return assertThatThrownBy(() -> channel.writeInbound(buffer(hex)))
                .isInstanceOf(ProtocolException.class);
    }

    private static ByteBuf slice(byte[] stream, int from, int to) {
        int length = to - from;
        return UnpooledByteBufAllocator.DEFAULT.buffer(length).writeBytes(stream, from, length);
    }

    private static List<String> readFrames(EmbeddedChannel channel) {
        List<String> frames = new ArrayList<>();
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add((char) frame.type() + ":" + hex(frame.content()));
            frame.release();
        }
        return frames;
    }
}
