package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** Terminate: the client closes the session. */
public record Terminate() implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'X';
    /** The only value. */
    public static final Terminate INSTANCE = new Terminate();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static Terminate decode(ByteBuf body) {
        new BodyReader("Terminate", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
