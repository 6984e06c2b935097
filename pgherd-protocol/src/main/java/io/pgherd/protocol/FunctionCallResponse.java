package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * FunctionCallResponse: the result of a {@link FunctionCall}.
 *
 * @param result the value, or null for SQL NULL (length -1 on the wire); not copied
 */
public record FunctionCallResponse(byte[] result) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'V';

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static FunctionCallResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("FunctionCallResponse", body);
        FunctionCallResponse message = new FunctionCallResponse(reader.readValue("result"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeValue(out, result);
        Wire.endFrame(out, lengthIndex);
    }

    /** Compares the result by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FunctionCallResponse that && Arrays.equals(result, that.result);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(result);
    }

    /** Shows the size, not the value. */
    @Override
    public String toString() {
        return "FunctionCallResponse[result=" + ByteArrays.describe(result) + "]";
    }
}
