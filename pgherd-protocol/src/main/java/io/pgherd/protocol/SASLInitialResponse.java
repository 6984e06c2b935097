package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * SASLInitialResponse: the SASL mechanism the client picked and its first message, such as the
 * SCRAM client-first-message. Its type byte {@code 'p'} is shared with other authentication
 * responses, so {@link FrontendMessage#decode} leaves it to the authenticator. The data is left
 * out of {@link #toString()}.
 *
 * @param mechanism the mechanism name, e.g. {@code SCRAM-SHA-256}
 * @param data the initial response, or null for none (length -1 on the wire); not copied
 */
public record SASLInitialResponse(String mechanism, byte[] data) implements FrontendMessage {

    /** The message type byte, shared by all authentication responses. */
    public static final byte TYPE = 'p';

    /** @throws IllegalArgumentException if {@code mechanism} contains NUL */
    public SASLInitialResponse {
        Wire.requireCString(mechanism, "SASLInitialResponse.mechanism");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static SASLInitialResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("SASLInitialResponse", body);
        SASLInitialResponse message = new SASLInitialResponse(
                reader.readCString("mechanism name"), reader.readValue("initial response"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, mechanism);
        Wire.writeValue(out, data);
        Wire.endFrame(out, lengthIndex);
    }

    /** Compares the data by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SASLInitialResponse that && mechanism.equals(that.mechanism)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, Arrays.hashCode(data));
    }

    /** Shows the size of the data, not the data. */
    @Override
    public String toString() {
        return "SASLInitialResponse[mechanism=" + mechanism + ", data="
                + ByteArrays.describe(data) + "]";
    }
}
