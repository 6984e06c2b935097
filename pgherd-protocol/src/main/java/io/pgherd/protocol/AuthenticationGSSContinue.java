package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * AuthenticationGSSContinue: a GSSAPI or SSPI token from the server; the token is left out of
 * {@link #toString()}. Decoded by {@link AuthenticationRequest#decode}.
 *
 * @param data the token; not copied, so it must not be modified afterwards
 */
public record AuthenticationGSSContinue(byte[] data) implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 8;

    /** @throws NullPointerException if {@code data} is null */
    public AuthenticationGSSContinue {
        Objects.requireNonNull(data, "AuthenticationGSSContinue.data");
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(2 * Integer.BYTES + data.length).writeInt(CODE)
                .writeBytes(data);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AuthenticationGSSContinue that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "AuthenticationGSSContinue[data=" + ByteArrays.describe(data) + "]";
    }
}
