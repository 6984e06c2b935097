package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * AuthenticationKerberosV5: Kerberos V5 authentication, which servers no longer offer. Decoded by
 * {@link AuthenticationRequest#decode}.
 */
public record AuthenticationKerberosV5() implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 2;
    /** The only value. */
    public static final AuthenticationKerberosV5 INSTANCE = new AuthenticationKerberosV5();

    @Override
    public void encode(ByteBuf out) {
        Wire.writeAuthentication(out, CODE);
    }
}
