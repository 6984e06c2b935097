package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * CopyInResponse: the server is ready for COPY FROM STDIN data.
 *
 * @param format the overall format: text means every column is text
 * @param columnFormats the format of each column (all text when {@code format} is text)
 */
public record CopyInResponse(FormatCode format, List<FormatCode> columnFormats)
        implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'G';

    /** @throws IllegalArgumentException if there are over 65535 columns */
    public CopyInResponse {
        Objects.requireNonNull(format, "CopyInResponse.format");
        columnFormats = Wire.requireList(columnFormats, "CopyInResponse.columnFormats");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static CopyInResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CopyInResponse", body);
        CopyInResponse message = new CopyInResponse(
                FormatCode.of(reader.readByte("overall format"), "CopyInResponse overall format"),
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
