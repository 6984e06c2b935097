package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Describe: asks for the parameters and result columns of a prepared statement or portal.
 *
 * @param kind statement or portal
 * @param name its name; empty for the unnamed one
 */
public record Describe(ObjectKind kind, String name) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'D';

    /** @throws IllegalArgumentException if {@code name} contains NUL */
    public Describe {
        Objects.requireNonNull(kind, "Describe.kind");
        Wire.requireCString(name, "Describe.name");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Describe decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Describe", body);
        Describe message = new Describe(ObjectKind.of(reader.readByte("kind"), "Describe"),
                reader.readCString("name"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeByte(kind.code());
        Wire.writeCString(out, name);
        Wire.endFrame(out, lengthIndex);
    }
}
