package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** Flush: asks the server to send the output it has buffered. */
public record Flush() implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'H';
    /** The only value. */
    public static final Flush INSTANCE = new Flush();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static Flush decode(ByteBuf body) {
        new BodyReader("Flush", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
