package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * CommandComplete: a statement finished.
 *
 * @param tag the command tag, e.g. {@code SELECT 3} or {@code INSERT 0 1}
 */
public record CommandComplete(String tag) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'C';

    /** @throws IllegalArgumentException if {@code tag} contains NUL */
    public CommandComplete {
        Wire.requireCString(tag, "CommandComplete.tag");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static CommandComplete decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CommandComplete", body);
        CommandComplete message = new CommandComplete(reader.readCString("command tag"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, tag);
        Wire.endFrame(out, lengthIndex);
    }
}
