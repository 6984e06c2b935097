package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * ParameterDescription: the parameter types of a described statement.
 *
 * @param parameterTypeOids the type OID of each parameter, unmodifiable; OIDs are unsigned on
 *     the wire and kept as their Int32 bits
 */
public record ParameterDescription(List<Integer> parameterTypeOids) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 't';

    /** @throws IllegalArgumentException if there are over 65535 parameters */
    public ParameterDescription {
        parameterTypeOids =
                Wire.requireList(parameterTypeOids, "ParameterDescription.parameterTypeOids");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static ParameterDescription decode(ByteBuf body) {
        BodyReader reader = new BodyReader("ParameterDescription", body);
        ParameterDescription message =
                new ParameterDescription(reader.readOids("parameter type"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeShort(parameterTypeOids.size());
        for (int oid : parameterTypeOids) {
            out.writeInt(oid);
        }
        Wire.endFrame(out, lengthIndex);
    }
}
