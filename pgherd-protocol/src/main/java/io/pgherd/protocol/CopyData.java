package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * CopyData: a chunk of COPY data stream. Sent in both directions; chunk boundaries carry no
 * meaning.
 *
 * @param data the bytes of the chunk; not copied, so it must not be modified afterwards
 */
public record CopyData(byte[] data) implements FrontendMessage, BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'd';

    /** @throws NullPointerException if {@code data} is null */
    public CopyData {
        Objects.requireNonNull(data, "CopyData.data");
    }

    /** Decodes a body: the whole body, from its reader index to its end, copied. */
    public static CopyData decode(ByteBuf body) {
        return new CopyData(new BodyReader("CopyData", body).readRest());
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(Integer.BYTES + data.length).writeBytes(data);
    }

    /** Compares the bytes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof CopyData that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Shows the size, not the bytes. */
    @Override
    public String toString() {
        return "CopyData[data=" + ByteArrays.describe(data) + "]";
    }
}
