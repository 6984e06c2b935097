package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** NoData: the described statement or portal returns no rows. */
public record NoData() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'n';
    /** The only value. */
    public static final NoData INSTANCE = new NoData();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static NoData decode(ByteBuf body) {
        new BodyReader("NoData", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
