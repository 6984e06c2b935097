package io.pgherd.protocol;

import static io.pgherd.protocol.FormatCode.BINARY;
import static io.pgherd.protocol.FormatCode.TEXT;
import static io.pgherd.protocol.TestBytes.bytes;
import static io.pgherd.protocol.TestBytes.encode;
import static io.pgherd.protocol.TestBytes.frame;
import static io.pgherd.protocol.TestBytes.normalize;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte-exact encoding and decoding of every backend message, laid out as in the docs. */
class BackendMessageTest {

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of(AuthenticationOk.INSTANCE, "52 00000008 00000000"),
                Arguments.of(AuthenticationKerberosV5.INSTANCE, "52 00000008 00000002"),
                Arguments.of(AuthenticationCleartextPassword.INSTANCE, "52 00000008 00000003"),
                Arguments.of(new AuthenticationMD5Password(bytes("01020304")),
                        "52 0000000c 00000005 01020304"),
                Arguments.of(AuthenticationGSS.INSTANCE, "52 00000008 00000007"),
                Arguments.of(new AuthenticationGSSContinue(bytes("beef")),
                        "52 0000000a 00000008 beef"),
                Arguments.of(AuthenticationSSPI.INSTANCE, "52 00000008 00000009"),
                Arguments.of(new AuthenticationSASL(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")),
                        "52 0000002a 0000000a 534352414d2d5348412d3235362d504c555300"
                                + " 534352414d2d5348412d32353600 00"),
                Arguments.of(new AuthenticationSASLContinue(utf8("r=abc,s=c2FsdA==,i=4096")),
                        "52 0000001f 0000000b 723d6162632c733d6332467364413d3d2c693d34303936"),
                Arguments.of(new AuthenticationSASLFinal(utf8("v=c2ln")),
                        "52 0000000e 0000000c 763d63326c6e"),
                Arguments.of(new BackendKeyData(1234, 0x5678abcd), "4b 0000000c 000004d2 5678abcd"),
                Arguments.of(BindComplete.INSTANCE, "32 00000004"),
                Arguments.of(CloseComplete.INSTANCE, "33 00000004"),
                Arguments.of(new CommandComplete("INSERT 0 1"),
                        "43 0000000f 494e534552542030203100"),
                Arguments.of(new CopyInResponse(TEXT, List.of(TEXT, TEXT)),
                        "47 0000000b 00 0002 0000 0000"),
                Arguments.of(new CopyOutResponse(BINARY, List.of(BINARY)),
                        "48 00000009 01 0001 0001"),
                Arguments.of(new CopyBothResponse(BINARY, List.of()), "57 00000007 01 0000"),
                Arguments.of(new CopyData(bytes("010203")), "64 00000007 010203"),
                Arguments.of(CopyDone.INSTANCE, "63 00000004"),
                Arguments.of(new DataRow(Arrays.asList(utf8("1"), null, new byte[0])),
                        "44 00000013 0003 00000001 31 ffffffff 00000000"),
                Arguments.of(EmptyQueryResponse.INSTANCE, "49 00000004"),
                Arguments.of(new ErrorResponse(fields("S", "ERROR", "V", "ERROR", "C", "42601",
                                "M", "syntax error at or near \"SELEC\"", "P", "1")),
                        "45 0000003e 53 4552524f5200 56 4552524f5200 43 343236303100"
                                + " 4d 73796e746178206572726f72206174206f72"
                                + " 206e656172202253454c45432200 50 3100 00"),
                Arguments.of(new FunctionCallResponse(utf8("42")), "56 0000000a 00000002 3432"),
                Arguments.of(new FunctionCallResponse(null), "56 00000008 ffffffff"),
                Arguments.of(new NegotiateProtocolVersion(0, List.of("_pq_.compression")),
                        "76 0000001d 00000000 00000001 5f70715f2e636f6d7072657373696f6e00"),
                Arguments.of(NoData.INSTANCE, "6e 00000004"),
                Arguments.of(new NoticeResponse(fields("S", "NOTICE", "C", "00000", "M", "hi")),
                        "4e 00000018 53 4e4f5449434500 43 303030303000 4d 686900 00"),
                Arguments.of(new NotificationResponse(4321, "jobs", "42"),
                        "41 00000010 000010e1 6a6f627300 343200"),
                Arguments.of(new ParameterDescription(List.of(23, 25)),
                        "74 0000000e 0002 00000017 00000019"),
                Arguments.of(new ParameterStatus("client_encoding", "UTF8"),
                        "53 00000019 636c69656e745f656e636f64696e6700 5554463800"),
                Arguments.of(ParseComplete.INSTANCE, "31 00000004"),
                Arguments.of(PortalSuspended.INSTANCE, "73 00000004"),
                Arguments.of(ReadyForQuery.IDLE, "5a 00000005 49"),
                Arguments.of(new ReadyForQuery(TransactionStatus.IN_TRANSACTION), "5a 00000005 54"),
                Arguments.of(new ReadyForQuery(TransactionStatus.FAILED), "5a 00000005 45"),
                Arguments.of(new RowDescription(List.of(
                                new RowDescription.Field("id", 16384, (short) 1, 23, (short) 4, -1,
                                        TEXT),
                                new RowDescription.Field("doc", 0, (short) 0, 17, (short) -1, -1,
                                        BINARY))),
                        "54 00000031 0002 696400 00004000 0001 00000017 0004 ffffffff 0000"
                                + " 646f6300 00000000 0000 00000011 ffff ffffffff 0001"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodesToTheDocumentedBytes(BackendMessage message, String hex) {
        assertThat(encode(message)).isEqualTo(normalize(hex));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodesTheDocumentedBytes(BackendMessage message, String hex) {
        Frame frame = frame(hex);
        try {
            assertThat(BackendMessage.decode(frame)).isEqualTo(message);
            assertThat(frame.content().readerIndex()).as("frame left unread").isZero();
            assertThat(frame.refCnt()).as("frame still owned by the caller").isEqualTo(1);
        } finally {
            frame.release();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Error or notice fields from alternating one-letter types and values. */
    private static Map<Byte, String> fields(String... typesAndValues) {
        Map<Byte, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < typesAndValues.length; i += 2) {
            fields.put((byte) typesAndValues[i].charAt(0), typesAndValues[i + 1]);
        }
        return fields;
    }
}
