package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * AuthenticationCleartextPassword: the server wants the password in clear text. Decoded by {@link
 * AuthenticationRequest#decode}.
 */
public record AuthenticationCleartextPassword() implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 3;
    /** The only value. */
    public static final AuthenticationCleartextPassword INSTANCE =
            new AuthenticationCleartextPassword();

    @Override
    public void encode(ByteBuf out) {
        Wire.writeAuthentication(out, CODE);
    }
}
