package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * GSSResponse: a GSSAPI or SSPI token from the client. Its type byte {@code 'p'} is shared with
 * other authentication responses, so {@link FrontendMessage#decode} leaves it to the authenticator;
 * the token is left out of {@link #toString()}.
 *
 * @param data the token; not copied, so it must not be modified afterwards
 */
public record GSSResponse(byte[] data) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'p';

    /** @throws NullPointerException if {@code data} is null */
    public GSSResponse {
        Objects.requireNonNull(data, "GSSResponse.data");
    }

    /** Decodes a body: the whole body, from its reader index to its end, copied. */
    public static GSSResponse decode(ByteBuf body) {
        return new GSSResponse(new BodyReader("GSSResponse", body).readRest());
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(Integer.BYTES + data.length).writeBytes(data);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof GSSResponse that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "GSSResponse[data=" + ByteArrays.describe(data) + "]";
    }
}
