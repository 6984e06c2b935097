package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Query: a simple-query string, possibly several statements.
 *
 * @param query the SQL text
 */
public record Query(String query) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'Q';

    /** @throws IllegalArgumentException if {@code query} contains NUL */
    public Query {
        Wire.requireCString(query, "Query.query");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Query decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Query", body);
        Query message = new Query(reader.readCString("query string"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, query);
        Wire.endFrame(out, lengthIndex);
    }
}
