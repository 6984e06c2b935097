package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * AuthenticationGSS: the server wants GSSAPI authentication. Decoded by {@link
 * AuthenticationRequest#decode}.
 */
public record AuthenticationGSS() implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 7;
    /** The only value. */
    public static final AuthenticationGSS INSTANCE = new AuthenticationGSS();

    @Override
    public void encode(ByteBuf out) {
        Wire.writeAuthentication(out, CODE);
    }
}
