package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * GSSENCRequest: the client asks for GSSAPI encryption before the startup message. The server
 * answers with the single byte {@code 'G'} or {@code 'N'}, not with a message.
 */
public record GSSENCRequest() implements StartupPacket {

    /** The request code, 1234 in the high 16 bits and 5680 in the low 16 bits. */
    public static final int CODE = 80877104;
    /** The fixed packet length. */
    public static final int LENGTH = 8;
    /** The only value. */
    public static final GSSENCRequest INSTANCE = new GSSENCRequest();

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(LENGTH).writeInt(CODE);
    }
}
