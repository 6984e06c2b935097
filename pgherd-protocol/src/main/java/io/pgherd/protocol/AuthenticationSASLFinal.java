package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * AuthenticationSASLFinal: the outcome of SASL authentication, such as the SCRAM
 * server-final-message; the data is left out of {@link #toString()}. Decoded by {@link
 * AuthenticationRequest#decode}.
 *
 * @param data the mechanism-specific data; not copied, so it must not be modified afterwards
 */
public record AuthenticationSASLFinal(byte[] data) implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 12;

    /** @throws NullPointerException if {@code data} is null */
    public AuthenticationSASLFinal {
        Objects.requireNonNull(data, "AuthenticationSASLFinal.data");
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(2 * Integer.BYTES + data.length).writeInt(CODE)
                .writeBytes(data);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AuthenticationSASLFinal that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "AuthenticationSASLFinal[data=" + ByteArrays.describe(data) + "]";
    }
}
