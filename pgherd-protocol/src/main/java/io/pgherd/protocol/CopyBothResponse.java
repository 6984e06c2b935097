package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * CopyBothResponse: a bidirectional copy (streaming replication) begins.
 *
 * @param format the overall format: text means every column is text
 * @param columnFormats the format of each column (all text when {@code format} is text)
 */
public record CopyBothResponse(FormatCode format, List<FormatCode> columnFormats)
        implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'W';

    /** @throws IllegalArgumentException if there are over 65535 columns */
    public CopyBothResponse {
        Objects.requireNonNull(format, "CopyBothResponse.format");
        columnFormats = Wire.requireList(columnFormats, "CopyBothResponse.columnFormats");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static CopyBothResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CopyBothResponse", body);
        CopyBothResponse message = new CopyBothResponse(
                FormatCode.of(reader.readByte("overall format"), "CopyBothResponse overall format"),
                reader.readFormats("column format"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeByte(format.code());
        Wire.writeFormats(out, columnFormats);
        Wire.endFrame(out, lengthIndex);
    }
}
