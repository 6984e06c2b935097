package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * AuthenticationSSPI: the server wants SSPI authentication. Decoded by {@link
 * AuthenticationRequest#decode}.
 */
public record AuthenticationSSPI() implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 9;
    /** The only value. */
    public static final AuthenticationSSPI INSTANCE = new AuthenticationSSPI();

    @Override
    public void encode(ByteBuf out) {
        Wire.writeAuthentication(out, CODE);
    }
}
