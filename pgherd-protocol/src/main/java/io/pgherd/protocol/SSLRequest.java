package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * SSLRequest: the client asks to switch to TLS before the startup message. The server answers
 * with the single byte {@code 'S'} or {@code 'N'}, not with a message.
 */
public record SSLRequest() implements StartupPacket {

    /** The request code, 1234 in the high 16 bits and 5679 in the low 16 bits. */
    public static final int CODE = 80877103;
    /** The fixed packet length. */
    public static final int LENGTH = 8;
    /** The only value. */
    public static final SSLRequest INSTANCE = new SSLRequest();

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(LENGTH).writeInt(CODE);
    }
}
