package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * AuthenticationMD5Password: the server wants the password hashed with MD5 and this salt. Decoded
 * by {@link AuthenticationRequest#decode}.
 *
 * @param salt the four salt bytes; not copied, so it must not be modified afterwards
 */
public record AuthenticationMD5Password(byte[] salt) implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 5;

    /** @throws IllegalArgumentException if {@code salt} is not 4 bytes */
    public AuthenticationMD5Password {
        Objects.requireNonNull(salt, "AuthenticationMD5Password.salt");
        if (salt.length != 4) {
            throw new IllegalArgumentException(
                    "AuthenticationMD5Password.salt must be 4 bytes (got " + salt.length + ")");
        }
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(2 * Integer.BYTES + salt.length).writeInt(CODE)
                .writeBytes(salt);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AuthenticationMD5Password that && Arrays.equals(salt, that.salt);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "AuthenticationMD5Password[salt=" + ByteArrays.describe(salt) + "]";
    }
}
