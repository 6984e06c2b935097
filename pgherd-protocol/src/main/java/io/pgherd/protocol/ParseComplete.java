package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** ParseComplete: a Parse succeeded. */
public record ParseComplete() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = '1';
    /** The only value. */
    public static final ParseComplete INSTANCE = new ParseComplete();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static ParseComplete decode(ByteBuf body) {
        new BodyReader("ParseComplete", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
