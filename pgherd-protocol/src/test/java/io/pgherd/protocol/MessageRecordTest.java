package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Value semantics of the records: validation, content equality, no secrets in toString. */
class MessageRecordTest {

    @Test
    void secretsStayOutOfToString() {
        assertThat(new PasswordMessage("hunter2")).asString().doesNotContain("hunter2");
        assertThat(new SASLInitialResponse("SCRAM-SHA-256", utf8("n,,n=,r=nonce")))
                .asString().doesNotContain("nonce").contains("13 bytes");
        assertThat(new SASLResponse(utf8("p=proof"))).asString().doesNotContain("proof");
        assertThat(new AuthenticationSASLContinue(utf8("r=nonce"))).asString()
                .doesNotContain("nonce");
        assertThat(new CancelRequest(1, 987654)).asString().doesNotContain("987654");
        assertThat(new BackendKeyData(1, 987654)).asString().doesNotContain("987654");
        assertThat(new Bind("", "", List.of(), List.of(utf8("card 4111")), List.of()))
                .asString().doesNotContain("4111");
    }

    @Test
    void recordsHoldingBytesCompareContent() {
        assertThat(new CopyData(utf8("x"))).isEqualTo(new CopyData(utf8("x")))
                .hasSameHashCodeAs(new CopyData(utf8("x")));
        assertThat(new DataRow(Arrays.asList(utf8("1"), null)))
                .isEqualTo(new DataRow(Arrays.asList(utf8("1"), null)))
                .isNotEqualTo(new DataRow(Arrays.asList(utf8("1"), utf8(""))));
        assertThat(new FunctionCallResponse(null))
                .isNotEqualTo(new FunctionCallResponse(new byte[0]));
    }

    @Test
    void stringsWithNulAreRefused() {
        assertThatThrownBy(() -> new Query("SELECT 1\0; DROP TABLE t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Query.query must not contain a NUL character");
    }

    @Test
    void startupMessageNeedsAUser() {
        assertThatThrownBy(() -> new StartupMessage(Map.of("database", "app")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("StartupMessage requires the parameter user");
    }

    @Test
    void startupMessageNeedsProtocol3() {
        assertThatThrownBy(() -> new StartupMessage(0x00020000, Map.of("user", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("protocolVersion must be 3.x (got 2.0)");
    }

    @Test
    void databaseDefaultsToTheUserName() {
        assertThat(new StartupMessage(Map.of("user", "alice")).database()).isEqualTo("alice");
        assertThat(new StartupMessage(Map.of("user", "alice", "database", "")).database())
                .isEqualTo("alice");
    }

    @Test
    void md5SaltMustBeFourBytes() {
        assertThatThrownBy(() -> new AuthenticationMD5Password(new byte[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AuthenticationMD5Password.salt must be 4 bytes (got 3)");
    }

    @Test
    void listsBeyondAnInt16CountAreRefused() {
        List<byte[]> values = new ArrayList<>(Collections.nCopies(65536, (byte[]) null));

        assertThatThrownBy(() -> new DataRow(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DataRow.values has 65536 entries; the protocol allows at most 65535");
    }

    @Test
    void listComponentsAreUnmodifiableCopies() {
        List<Integer> oids = new ArrayList<>(List.of(23));
        Parse parse = new Parse("", "SELECT $1", oids);
        oids.add(25);

        assertThat(parse.parameterTypeOids()).containsExactly(23);
        assertThatThrownBy(() -> parse.parameterTypeOids().add(1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void frameShowsTypeAndSizeButNotItsBody() {
        Frame frame = new Frame((byte) 'p', buffer("68756e7465723200"));
        try {
            assertThat(frame).hasToString("Frame('p', 8 bytes)");
            assertThat(frame.length()).isEqualTo(12);
        } finally {
            frame.release();
        }
    }

    @Test
    void framesAreEqualByTypeAndBody() {
        Frame query = new Frame((byte) 'Q', buffer("00"));
        Frame sameQuery = new Frame((byte) 'Q', buffer("00"));
        Frame close = new Frame((byte) 'C', buffer("00"));
        try {
            assertThat(query).isEqualTo(sameQuery).hasSameHashCodeAs(sameQuery).isNotEqualTo(close);
        } finally {
            query.release();
            sameQuery.release();
            close.release();
        }
    }

    @Test
    void frameDuplicateSharesTheBodyAndKeepsTheType() {
        Frame frame = new Frame((byte) 'd', buffer("0102"));
        Frame duplicate = frame.retainedDuplicate();

        assertThat(duplicate.type()).isEqualTo((byte) 'd');
        assertThat(frame.refCnt()).isEqualTo(2);
        duplicate.release();
        assertThat(frame.release()).isTrue();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
