package io.pgherd.protocol;

import static io.pgherd.protocol.FormatCode.BINARY;
import static io.pgherd.protocol.FormatCode.TEXT;
import static io.pgherd.protocol.TestBytes.bytes;
import static io.pgherd.protocol.TestBytes.encode;
import static io.pgherd.protocol.TestBytes.frame;
import static io.pgherd.protocol.TestBytes.normalize;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte-exact encoding and decoding of every frontend message, laid out as in the docs. */
class FrontendMessageTest {

    static Stream<Arguments> typedMessages() {
        return Stream.of(
                Arguments.of(new Query("SELECT 1"), "51 0000000d 53454c454354203100"),
                Arguments.of(new Parse("s1", "SELECT $1::int", List.of(23)),
                        "50 0000001c 733100 53454c4543542024313a3a696e7400 0001 00000017"),
                Arguments.of(new Parse("", "BEGIN", List.of()), "50 0000000d 00 424547494e00 0000"),
                Arguments.of(new Bind("p1", "s1", List.of(BINARY),
                                Arrays.asList(bytes("0000002a"), null), List.of(TEXT)),
                        "42 00000020 703100 733100 0001 0001 0002 00000004 0000002a ffffffff"
                                + " 0001 0000"),
                Arguments.of(new Bind("", "", List.of(), List.of(), List.of()),
                        "42 0000000c 00 00 0000 0000 0000"),
                Arguments.of(new Describe(ObjectKind.STATEMENT, "s1"), "44 00000008 53 733100"),
                Arguments.of(new Describe(ObjectKind.PORTAL, ""), "44 00000006 50 00"),
                Arguments.of(new Execute("", 0), "45 00000009 00 00000000"),
                Arguments.of(new Execute("p1", 100), "45 0000000b 703100 00000064"),
                Arguments.of(new Close(ObjectKind.STATEMENT, "s1"), "43 00000008 53 733100"),
                Arguments.of(new Close(ObjectKind.PORTAL, "p1"), "43 00000008 50 703100"),
                Arguments.of(Sync.INSTANCE, "53 00000004"),
                Arguments.of(Flush.INSTANCE, "48 00000004"),
                Arguments.of(Terminate.INSTANCE, "58 00000004"),
                Arguments.of(CopyDone.INSTANCE, "63 00000004"),
                Arguments.of(new CopyData(bytes("010203")), "64 00000007 010203"),
                Arguments.of(new CopyFail("aborted"), "66 0000000c 61626f7274656400"),
                Arguments.of(new FunctionCall(1598, List.of(TEXT),
                                Arrays.asList("42".getBytes(StandardCharsets.UTF_8), null), BINARY),
                        "46 0000001a 0000063e 0001 0000 0002 00000002 3432 ffffffff 0001"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("typedMessages")
    void encodesToTheDocumentedBytes(FrontendMessage message, String hex) {
        assertThat(encode(message)).isEqualTo(normalize(hex));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("typedMessages")
    void decodesTheDocumentedBytes(FrontendMessage message, String hex) {
        Frame frame = frame(hex);
        try {
            assertThat(FrontendMessage.decode(frame)).isEqualTo(message);
            assertThat(frame.content().readerIndex()).as("frame left unread").isZero();
            assertThat(frame.refCnt()).as("frame still owned by the caller").isEqualTo(1);
        } finally {
            frame.release();
        }
    }

    static Stream<Arguments> authenticationResponses() {
        Function<ByteBuf, FrontendMessage> password = PasswordMessage::decode;
        Function<ByteBuf, FrontendMessage> saslInitial = SASLInitialResponse::decode;
        Function<ByteBuf, FrontendMessage> sasl = SASLResponse::decode;
        Function<ByteBuf, FrontendMessage> gss = GSSResponse::decode;
        return Stream.of(
                Arguments.of(new PasswordMessage("secret"), "70 0000000b 73656372657400", password),
                Arguments.of(new SASLInitialResponse("SCRAM-SHA-256",
                                "n,,n=,r=abc".getBytes(StandardCharsets.UTF_8)),
                        "70 00000021 534352414d2d5348412d32353600 0000000b 6e2c2c6e3d2c723d616263",
                        saslInitial),
                Arguments.of(new SASLInitialResponse("X", null), "70 0000000a 5800 ffffffff",
                        saslInitial),
                Arguments.of(new SASLResponse("c=biws".getBytes(StandardCharsets.UTF_8)),
                        "70 0000000a 633d62697773", sasl),
                Arguments.of(new GSSResponse(bytes("cafe")), "70 00000006 cafe", gss));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticationResponses")
    void authenticationResponseEncodesToTheDocumentedBytes(
            FrontendMessage message, String hex, Function<ByteBuf, FrontendMessage> decoder) {
        assertThat(encode(message)).isEqualTo(normalize(hex));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticationResponses")
    void authenticationResponseDecodesWithTheDecoderTheExchangeChose(
            FrontendMessage message, String hex, Function<ByteBuf, FrontendMessage> decoder) {
        Frame frame = frame(hex);
        try {
            assertThat(frame.type()).isEqualTo((byte) 'p');
            assertThat(decoder.apply(frame.content())).isEqualTo(message);
        } finally {
            frame.release();
        }
    }

    static Stream<Arguments> startupPackets() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", "alice");
        parameters.put("database", "app");
        return Stream.of(
                Arguments.of(new StartupMessage(parameters),
                        "00000021 00030000 7573657200 616c69636500 646174616261736500 61707000 00"),
                Arguments.of(SSLRequest.INSTANCE, "00000008 04d2162f"),
                Arguments.of(GSSENCRequest.INSTANCE, "00000008 04d21630"),
                Arguments.of(new CancelRequest(1234, 0x5678abcd),
                        "00000010 04d2162e 000004d2 5678abcd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("startupPackets")
    void startupPacketEncodesToTheDocumentedBytes(StartupPacket packet, String hex) {
        assertThat(encode(packet)).isEqualTo(normalize(hex));
    }

    @Test
    void startupMessageKeepsParameterOrderOnTheWire() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("database", "app");
        parameters.put("user", "alice");

        assertThat(encode(new StartupMessage(parameters)))
                .isEqualTo(normalize("00000021 00030000 646174616261736500 61707000"
                        + " 7573657200 616c69636500 00"));
    }
}
