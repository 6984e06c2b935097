package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.encode;
import static io.pgherd.protocol.TestBytes.normalize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorResponseTest {

    @Test
    void pgherdErrorCarriesSeverityCodeAndPrefixedMessage() {
        ErrorResponse error = ErrorResponse.pgherdError(SqlState.TOO_MANY_CONNECTIONS, "pool full");

        assertThat(error.severity()).isEqualTo("ERROR");
        assertThat(error.code()).isEqualTo("53300");
        assertThat(error.message()).isEqualTo("pgherd: pool full");
        assertThat(encode(error)).isEqualTo(normalize("45 0000002d"
                + " 53 4552524f5200 56 4552524f5200 43 353333303000"
                + " 4d 7067686572643a20706f6f6c2066756c6c00 00"));
    }

    @Test
    void pgherdFatalEndsTheSession() {
        ErrorResponse fatal = ErrorResponse.pgherdFatal(SqlState.ADMIN_SHUTDOWN, "proxy stopping");

        assertThat(fatal.field(ErrorFields.SEVERITY)).contains("FATAL");
        assertThat(fatal.field(ErrorFields.SEVERITY_NON_LOCALIZED)).contains("FATAL");
        assertThat(fatal.code()).isEqualTo("57P01");
    }

    @Test
    void malformedSqlStateIsRefused() {
        assertThatThrownBy(() -> ErrorResponse.pgherdError("8P01", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SQLSTATE must be 5 digits or upper-case letters (got 8P01)");
    }

    @Test
    void severityPrefersTheNonLocalizedField() {
        Map<Byte, String> fields = new LinkedHashMap<>();
        fields.put(ErrorFields.SEVERITY, "FEHLER");
        fields.put(ErrorFields.SEVERITY_NON_LOCALIZED, "ERROR");

        assertThat(new ErrorResponse(fields).severity()).isEqualTo("ERROR");
        assertThat(new ErrorResponse(Map.of(ErrorFields.SEVERITY, "FEHLER")).severity())
                .isEqualTo("FEHLER");
    }

    @Test
    void absentFieldsAreEmpty() {
        NoticeResponse notice = new NoticeResponse(Map.of(ErrorFields.MESSAGE, "hello"));

        assertThat(notice.field(ErrorFields.HINT)).isEmpty();
        assertThat(notice.code()).isEmpty();
        assertThat(notice.severity()).isEmpty();
        assertThat(notice.message()).isEqualTo("hello");
    }

    @Test
    void unknownFieldTypesSurviveARoundTrip() {
        Map<Byte, String> fields = new LinkedHashMap<>();
        fields.put(ErrorFields.SEVERITY, "ERROR");
        fields.put((byte) 'Y', "future field");
        ErrorResponse error = new ErrorResponse(fields);

        Frame frame = TestBytes.frame(encode(error));
        try {
            assertThat(BackendMessage.decode(frame)).isEqualTo(error);
        } finally {
            frame.release();
        }
    }

    @Test
    void protocolExceptionBecomesAFatalErrorWithItsSqlState() {
        ProtocolException exception = ProtocolException.violation("bad length");

        ErrorResponse error = exception.toErrorResponse();

        assertThat(error.severity()).isEqualTo("FATAL");
        assertThat(error.code()).isEqualTo("08P01");
        assertThat(error.message()).isEqualTo("pgherd: bad length");
    }

    @Test
    void fieldTypeZeroIsRefusedBecauseItEndsTheList() {
        assertThatThrownBy(() -> new ErrorResponse(Map.of((byte) 0, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ErrorResponse field type must not be 0");
    }
}
