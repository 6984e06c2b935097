package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** CopyDone: the sender has no more COPY data. Sent in both directions. */
public record CopyDone() implements FrontendMessage, BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'c';
    /** The only value. */
    public static final CopyDone INSTANCE = new CopyDone();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static CopyDone decode(ByteBuf body) {
        new BodyReader("CopyDone", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
