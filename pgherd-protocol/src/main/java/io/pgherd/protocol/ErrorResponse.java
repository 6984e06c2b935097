package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ErrorResponse: a statement, or the session, failed. Read fields through {@link ErrorFields}.
 *
 * @param fields the fields keyed by type byte, unmodifiable, in wire order; at least one
 */
public record ErrorResponse(Map<Byte, String> fields) implements BackendMessage, ErrorFields {

    /** The message type byte. */
    public static final byte TYPE = 'E';
    /** What starts the message of every error pgherd itself reports. */
    public static final String PGHERD_PREFIX = "pgherd: ";

    /** @throws IllegalArgumentException if a field type is 0 or a value contains NUL */
    public ErrorResponse {
        fields = Wire.requireFields(fields, "ErrorResponse");
    }

    /**
     * An ERROR from pgherd: the statement fails, the session goes on.
     *
     * @param sqlState five characters, e.g. {@link SqlState#TOO_MANY_CONNECTIONS}
     * @param message the message without prefix; {@value #PGHERD_PREFIX} is put before it
     * @throws IllegalArgumentException if {@code sqlState} is not a SQLSTATE
     */
    public static ErrorResponse pgherdError(String sqlState, String message) {
        return pgherd("ERROR", sqlState, message);
    }

    /**
     * A FATAL error from pgherd: the session ends after it is sent.
     *
     * @param sqlState five characters, e.g. {@link SqlState#PROTOCOL_VIOLATION}
     * @param message the message without prefix; {@value #PGHERD_PREFIX} is put before it
     * @throws IllegalArgumentException if {@code sqlState} is not a SQLSTATE
     */
    public static ErrorResponse pgherdFatal(String sqlState, String message) {
        return pgherd("FATAL", sqlState, message);
    }

    private static ErrorResponse pgherd(String severity, String sqlState, String message) {
        Map<Byte, String> fields = new LinkedHashMap<>();
        fields.put(SEVERITY, severity);
        fields.put(SEVERITY_NON_LOCALIZED, severity);
        fields.put(CODE, SqlState.require(sqlState));
        fields.put(MESSAGE, PGHERD_PREFIX + message);
        return new ErrorResponse(fields);
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static ErrorResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("ErrorResponse", body);
        ErrorResponse message = new ErrorResponse(reader.readFields());
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeFields(out, fields);
        Wire.endFrame(out, lengthIndex);
    }
}
