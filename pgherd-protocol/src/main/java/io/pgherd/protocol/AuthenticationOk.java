package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** AuthenticationOk: authentication succeeded. Decoded by {@link AuthenticationRequest#decode}. */
public record AuthenticationOk() implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 0;
    /** The only value. */
    public static final AuthenticationOk INSTANCE = new AuthenticationOk();

    @Override
    public void encode(ByteBuf out) {
        Wire.writeAuthentication(out, CODE);
    }
}
