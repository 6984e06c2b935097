package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * SASLResponse: a later SASL message from the client, such as the SCRAM client-final-message. Its
 * type byte {@code 'p'} is shared with other authentication responses, so {@link
 * FrontendMessage#decode} leaves it to the authenticator; the data is left out of {@link
 * #toString()}.
 *
 * @param data the mechanism-specific data; not copied, so it must not be modified afterwards
 */
public record SASLResponse(byte[] data) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'p';

    /** @throws NullPointerException if {@code data} is null */
    public SASLResponse {
        Objects.requireNonNull(data, "SASLResponse.data");
    }

    /** Decodes a body: the whole body, from its reader index to its end, copied. */
    public static SASLResponse decode(ByteBuf body) {
        return new SASLResponse(new BodyReader("SASLResponse", body).readRest());
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(Integer.BYTES + data.length).writeBytes(data);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SASLResponse that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "SASLResponse[data=" + ByteArrays.describe(data) + "]";
    }
}
