package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields of one message body, checking every read against the bytes left and raising
 * a {@link ProtocolException} that names the message and the field. Advances the reader index
 * of the buffer it wraps; never releases it. Not thread-safe; one per decode call.
 */
final class BodyReader {

    private final String message;
    private final ByteBuf body;

    BodyReader(String message, ByteBuf body) {
        this.message = message;
        this.body = body;
    }

    byte readByte(String field) {
        require(Byte.BYTES, field);
        return body.readByte();
    }

    /** An Int16 count: read as unsigned, as PostgreSQL does. */
    int readCount(String field) {
        require(Short.BYTES, field);
        return body.readUnsignedShort();
    }

    short readShort(String field) {
        require(Short.BYTES, field);
        return body.readShort();
    }

    int readInt(String field) {
        require(Integer.BYTES, field);
        return body.readInt();
    }

    String readCString(String field) {
        int length = body.bytesBefore((byte) 0);
        if (length < 0) {
            throw fail(field + " is not NUL-terminated (" + body.readableBytes()
                    + " bytes left without a NUL)");
        }
        String value = body.toString(body.readerIndex(), length, StandardCharsets.UTF_8);
        body.skipBytes(length + 1);
        return value;
    }

    byte[] readBytes(int length, String field) {
        require(length, field);
        byte[] bytes = new byte[length];
        body.readBytes(bytes);
        return bytes;
    }

    /** All bytes left in the body. */
    byte[] readRest() {
        return readBytes(body.readableBytes(), "rest");
    }

    /** An Int32 length and that many bytes; length -1 is SQL NULL and yields null. */
    byte[] readValue(String field) {
        int length = readInt(field + " length");
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw fail(field + " length " + length + " is negative and not -1 (NULL)");
        }
        return readBytes(length, field);
    }

    /** An Int16 count and that many values. */
    List<byte[]> readValues(String field) {
        int count = readCount(field + " count");
        List<byte[]> values = new ArrayList<>(Math.min(count, body.readableBytes() / 4));
        for (int i = 1; i <= count; i++) {
            values.add(readValue(field + " " + i));
        }
        return values;
    }

    FormatCode readFormat(String field) {
        return FormatCode.of(readShort(field), message + " " + field);
    }

    /** An Int16 count and that many Int16 format codes. */
    List<FormatCode> readFormats(String field) {
        int count = readCount(field + " count");
        List<FormatCode> formats = new ArrayList<>(Math.min(count, body.readableBytes() / 2));
        for (int i = 1; i <= count; i++) {
            formats.add(readFormat(field + " " + i));
        }
        return formats;
    }

    /** An Int16 count and that many Int32 object identifiers. */
    List<Integer> readOids(String field) {
        int count = readCount(field + " count");
        List<Integer> oids = new ArrayList<>(Math.min(count, body.readableBytes() / 4));
        for (int i = 1; i <= count; i++) {
            oids.add(readInt(field + " " + i));
        }
        return oids;
    }

    /** Error or notice fields up to and including the terminating zero byte. */
    Map<Byte, String> readFields() {
        Map<Byte, String> fields = new LinkedHashMap<>();
        while (true) {
            if (!body.isReadable()) {
                throw fail("field list does not end with a zero byte");
            }
            byte type = body.readByte();
            if (type == 0) {
                break;
            }
            fields.put(type, readCString("field " + Wire.describe(type)));
        }
        if (fields.isEmpty()) {
            throw fail("no fields");
        }
        return fields;
    }

    boolean isReadable() {
        return body.isReadable();
    }

    /** Checks that the body held nothing after the last field. */
    void end() {
        if (body.isReadable()) {
            throw fail(body.readableBytes() + " more bytes after the last field; expected none");
        }
    }

    ProtocolException fail(String detail) {
        return ProtocolException.violation("malformed " + message + " message: " + detail);
    }

    private void require(int length, String field) {
        if (body.readableBytes() < length) {
            throw fail(field + " needs " + length + " bytes but only " + body.readableBytes()
                    + " remain");
        }
    }
}
