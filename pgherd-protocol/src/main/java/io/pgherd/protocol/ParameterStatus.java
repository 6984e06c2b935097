package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * ParameterStatus: the current value of a run-time parameter the client is told about, such as
 * {@code server_version} or {@code client_encoding}.
 *
 * @param name the parameter name
 * @param value its current value
 */
public record ParameterStatus(String name, String value) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'S';

    /** @throws IllegalArgumentException if a string contains NUL */
    public ParameterStatus {
        Wire.requireCString(name, "ParameterStatus.name");
        Wire.requireCString(value, "ParameterStatus.value");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static ParameterStatus decode(ByteBuf body) {
        BodyReader reader = new BodyReader("ParameterStatus", body);
        ParameterStatus message = new ParameterStatus(reader.readCString("parameter name"),
                reader.readCString("parameter value"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, name);
        Wire.writeCString(out, value);
        Wire.endFrame(out, lengthIndex);
    }
}
