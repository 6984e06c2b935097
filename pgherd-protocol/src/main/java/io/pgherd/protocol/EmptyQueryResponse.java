package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** EmptyQueryResponse: the query string was empty; stands in for CommandComplete. */
public record EmptyQueryResponse() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'I';
    /** The only value. */
    public static final EmptyQueryResponse INSTANCE = new EmptyQueryResponse();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static EmptyQueryResponse decode(ByteBuf body) {
        new BodyReader("EmptyQueryResponse", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
