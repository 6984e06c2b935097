package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.util.function.Function;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Typed decoding of frames whose type or body breaks the protocol. */
class MalformedMessageTest {

    @Test
    void unknownFrontendTypeIsNamed() {
        assertFrontend('z', "").hasMessage("unknown frontend message type 'z'");
    }

    @Test
    void unknownBackendTypeIsNamedInHexWhenNotPrintable() {
        assertBackend((char) 0, "").hasMessage("unknown backend message type 0x00");
    }

    @Test
    void backendTypeSentByAClientIsUnknown() {
        assertFrontend('Z', "49").hasMessage("unknown frontend message type 'Z'");
    }

    @Test
    void authenticationResponseOutsideAuthenticationIsRejected() {
        assertFrontend('p', "73656372657400").hasMessage("frontend message 'p' is only valid"
                + " during authentication, where the authenticator decodes it as the response"
                + " it asked for");
    }

    @Test
    void stringWithoutNulIsRejected() {
        assertFrontend('Q', "53454c454354").hasMessage(
                "malformed Query message: query string is not NUL-terminated"
                        + " (6 bytes left without a NUL)");
    }

    @Test
    void bytesAfterTheLastFieldAreRejected() {
        assertFrontend('Q', "53454c45435400 ff").hasMessage(
                "malformed Query message: 1 more bytes after the last field; expected none");
    }

    @Test
    void bodyOfAnEmptyMessageIsRejected() {
        assertFrontend('S', "00").hasMessage(
                "malformed Sync message: 1 more bytes after the last field; expected none");
    }

    @Test
    void bindWithFewerValuesThanItsCountIsRejected() {
        assertFrontend('B', "00 00 0000 0002 00000001 31").hasMessage(
                "malformed Bind message: parameter value 2 length needs 4 bytes but only 0 remain");
    }

    @Test
    void bindValueLongerThanTheBodyIsRejected() {
        assertFrontend('B', "00 00 0000 0001 00000064 31323334").hasMessage(
                "malformed Bind message: parameter value 1 needs 100 bytes but only 4 remain");
    }

    @Test
    void negativeValueLengthOtherThanMinusOneIsRejected() {
        assertFrontend('B', "00 00 0000 0001 fffffffe 0000").hasMessage(
                "malformed Bind message:"
                        + " parameter value 1 length -2 is negative and not -1 (NULL)");
    }

    @Test
    void formatCodeOtherThanTextOrBinaryIsRejected() {
        assertFrontend('B', "00 00 0001 0002 0000 0000").hasMessage(
                "Bind parameter format 1: format code 2 is neither 0 (text) nor 1 (binary)");
    }

    @Test
    void hugeCountWithAShortBodyFailsOnTheMissingBytes() {
        assertBackend('D', "ffff 00000000").hasMessage(
                "malformed DataRow message: column 2 length needs 4 bytes but only 0 remain");
    }

    @Test
    void describeOfUnknownObjectKindIsRejected() {
        assertFrontend('D', "58 00").hasMessage(
                "Describe: object kind 'X' is not 'S' (statement) or 'P' (portal)");
    }

    @Test
    void executeWithoutRowLimitIsRejected() {
        assertFrontend('E', "00 0000").hasMessage(
                "malformed Execute message: maximum rows needs 4 bytes but only 2 remain");
    }

    @Test
    void unknownTransactionStatusIsRejected() {
        assertBackend('Z', "58").hasMessage(
                "ReadyForQuery: transaction status 'X' is not 'I', 'T' or 'E'");
    }

    @Test
    void unknownAuthenticationCodeIsRejected() {
        assertBackend('R', "00000004").hasMessage("malformed Authentication message:"
                + " unknown authentication code 4 (expected 0, 2, 3, 5, 7, 8, 9, 10, 11 or 12)");
    }

    @Test
    void shortMd5SaltIsRejected() {
        assertBackend('R', "00000005 0102").hasMessage(
                "malformed Authentication message: salt needs 4 bytes but only 2 remain");
    }

    @Test
    void saslMechanismListWithoutTerminatorIsRejected() {
        assertBackend('R', "0000000a 534352414d2d5348412d32353600").hasMessage(
                "malformed Authentication message: mechanism list does not end with an empty name");
    }

    @Test
    void saslWithoutMechanismsIsRejected() {
        assertBackend('R', "0000000a 00").hasMessage(
                "malformed Authentication message: AuthenticationSASL lists no mechanism");
    }

    @Test
    void errorFieldsWithoutTerminatorAreRejected() {
        assertBackend('E', "53 4552524f5200").hasMessage(
                "malformed ErrorResponse message: field list does not end with a zero byte");
    }

    @Test
    void noticeWithoutFieldsIsRejected() {
        assertBackend('N', "00").hasMessage("malformed NoticeResponse message: no fields");
    }

    @Test
    void negativeOptionCountIsRejected() {
        assertBackend('v', "00000000 ffffffff").hasMessage(
                "malformed NegotiateProtocolVersion message: option count -1 is negative");
    }

    @Test
    void copyResponseWithUnknownOverallFormatIsRejected() {
        assertBackend('G', "02 0000").hasMessage(
                "CopyInResponse overall format: format code 2 is neither 0 (text) nor 1 (binary)");
    }

    @Test
    void authenticationResponsesRejectMalformedBodies() {
        assertBody(SASLInitialResponse::decode, "5800 00000005 00").hasMessage(
                "malformed SASLInitialResponse message: initial response needs 5 bytes"
                        + " but only 1 remain");
        assertBody(PasswordMessage::decode, "736563726574").hasMessage(
                "malformed PasswordMessage message: password is not NUL-terminated"
                        + " (6 bytes left without a NUL)");
    }

    @Test
    void everyDecodingErrorIsAProtocolViolation() {
        assertFrontend('z', "")
                .extracting(e -> ((ProtocolException) e).sqlState())
                .isEqualTo(SqlState.PROTOCOL_VIOLATION);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFrontend(
            char type, String body) {
        return assertDecode(type, body, FrontendMessage::decode);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertBackend(
            char type, String body) {
        return assertDecode(type, body, BackendMessage::decode);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertDecode(
            char type, String body, Function<Frame, ?> decoder) {
        Frame frame = new Frame((byte) type, buffer(body));
        try {
            return assertThatThrownBy(() -> decoder.apply(frame))
                    .isInstanceOf(ProtocolException.class);
        } finally {
            assertThat(frame.release()).isTrue();
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertBody(
            Function<ByteBuf, ?> decoder, String body) {
        ByteBuf buf = buffer(body);
        try {
            return assertThatThrownBy(() -> decoder.apply(buf))
                    .isInstanceOf(ProtocolException.class);
        } finally {
            buf.release();
        }
    }
}
