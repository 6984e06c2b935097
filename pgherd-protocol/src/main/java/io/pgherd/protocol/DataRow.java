package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * DataRow: one row of a result.
 *
 * @param values the column values in the formats the query asked for; a null element is SQL
 *     NULL (length -1 on the wire); arrays are not copied
 */
public record DataRow(List<byte[]> values) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'D';

    /** @throws IllegalArgumentException if there are over 65535 columns */
    public DataRow {
        values = Wire.requireValues(values, "DataRow.values");
    }

    /**
     * Decodes a body, from its reader index to its end; the values are copied.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static DataRow decode(ByteBuf body) {
        BodyReader reader = new BodyReader("DataRow", body);
        DataRow message = new DataRow(reader.readValues("column"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeValues(out, values);
        Wire.endFrame(out, lengthIndex);
    }

    /** Compares values by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof DataRow that && ByteArrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return ByteArrays.hashCode(values);
    }

    /** Shows value sizes, not values. */
    @Override
    public String toString() {
        return "DataRow[values=" + ByteArrays.describe(values) + "]";
    }
}
