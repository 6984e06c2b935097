package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * NoticeResponse: a warning or notice that does not fail anything. Read fields through {@link
 * ErrorFields}.
 *
 * @param fields the fields keyed by type byte, unmodifiable, in wire order; at least one
 */
public record NoticeResponse(Map<Byte, String> fields) implements BackendMessage, ErrorFields {

    /** The message type byte. */
    public static final byte TYPE = 'N';

    /** @throws IllegalArgumentException if a field type is 0 or a value contains NUL */
    public NoticeResponse {
        fields = Wire.requireFields(fields, "NoticeResponse");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static NoticeResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("NoticeResponse", body);
        NoticeResponse message = new NoticeResponse(reader.readFields());
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
