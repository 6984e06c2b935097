package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * CopyOutResponse: COPY TO STDOUT data follows.
 *
 * @param format the overall format: text means every column is text
 * @param columnFormats the format of each column (all text when {@code format} is text)
 */
public record CopyOutResponse(FormatCode format, List<FormatCode> columnFormats)
        implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'H';

    /** @throws IllegalArgumentException if there are over 65535 columns */
    public CopyOutResponse {
        Objects.requireNonNull(format, "CopyOutResponse.format");
        columnFormats = Wire.requireList(columnFormats, "CopyOutResponse.columnFormats");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static CopyOutResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CopyOutResponse", body);
        CopyOutResponse message = new CopyOutResponse(
                FormatCode.of(reader.readByte("overall format"), "CopyOutResponse overall format"),
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
