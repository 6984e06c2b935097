package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** CloseComplete: a Close succeeded. */
public record CloseComplete() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = '3';
    /** The only value. */
    public static final CloseComplete INSTANCE = new CloseComplete();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static CloseComplete decode(ByteBuf body) {
        new BodyReader("CloseComplete", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
