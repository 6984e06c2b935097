package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Close: closes a prepared statement or portal.
 *
 * @param kind statement or portal
 * @param name its name; empty for the unnamed one
 */
public record Close(ObjectKind kind, String name) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'C';

    /** @throws IllegalArgumentException if {@code name} contains NUL */
    public Close {
        Objects.requireNonNull(kind, "Close.kind");
        Wire.requireCString(name, "Close.name");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Close decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Close", body);
        Close message = new Close(ObjectKind.of(reader.readByte("kind"), "Close"),
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
