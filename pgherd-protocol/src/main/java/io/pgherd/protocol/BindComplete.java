package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** BindComplete: a Bind succeeded. */
public record BindComplete() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = '2';
    /** The only value. */
    public static final BindComplete INSTANCE = new BindComplete();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static BindComplete decode(ByteBuf body) {
        new BodyReader("BindComplete", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
