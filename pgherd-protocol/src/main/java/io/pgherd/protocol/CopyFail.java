package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * CopyFail: the client aborts a COPY FROM STDIN.
 *
 * @param message why
 */
public record CopyFail(String message) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'f';

    /** @throws IllegalArgumentException if {@code message} contains NUL */
    public CopyFail {
        Wire.requireCString(message, "CopyFail.message");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static CopyFail decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CopyFail", body);
        CopyFail copyFail = new CopyFail(reader.readCString("error message"));
        reader.end();
        return copyFail;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, message);
        Wire.endFrame(out, lengthIndex);
    }
}
