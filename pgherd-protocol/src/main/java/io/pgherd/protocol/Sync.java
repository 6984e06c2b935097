package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** Sync: ends an extended-query sequence; the server answers with ReadyForQuery. */
public record Sync() implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'S';
    /** The only value. */
    public static final Sync INSTANCE = new Sync();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static Sync decode(ByteBuf body) {
        new BodyReader("Sync", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
