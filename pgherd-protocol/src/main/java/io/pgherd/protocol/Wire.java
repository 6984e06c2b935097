package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Writing helpers and argument checks shared by the message records. Stateless. */
final class Wire {

    /** Largest count an Int16 count field can carry (counts are read as unsigned). */
    static final int MAX_COUNT = 0xFFFF;

    private Wire() {
    }

    /** Writes the type byte and a placeholder length; returns where the length goes. */
    static int beginFrame(ByteBuf out, byte type) {
        out.writeByte(type);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /** Sets the length written by {@link #beginFrame}: itself plus everything after it. */
    static void endFrame(ByteBuf out, int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex);
    }

    /** Writes a whole message that has no body. */
    static void writeEmptyFrame(ByteBuf out, byte type) {
        out.writeByte(type).writeInt(Integer.BYTES);
    }

    /** Writes an {@code 'R'} message that carries only its authentication code. */
    static void writeAuthentication(ByteBuf out, int code) {
        out.writeByte(AuthenticationRequest.TYPE).writeInt(8).writeInt(code);
    }

    static void writeCString(ByteBuf out, String value) {
        ByteBufUtil.writeUtf8(out, value);
        out.writeByte(0);
    }

    /** Writes an Int32 length and the bytes, or length -1 for SQL NULL. */
    static void writeValue(ByteBuf out, byte[] value) {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length).writeBytes(value);
        }
    }

    static void writeFormats(ByteBuf out, List<FormatCode> formats) {
        out.writeShort(formats.size());
        for (FormatCode format : formats) {
            out.writeShort(format.code());
        }
    }

    static void writeValues(ByteBuf out, List<byte[]> values) {
        out.writeShort(values.size());
        for (byte[] value : values) {
            writeValue(out, value);
        }
    }

    /** Writes error or notice fields and the terminating zero byte. */
    static void writeFields(ByteBuf out, Map<Byte, String> fields) {
        fields.forEach((type, value) -> {
            out.writeByte(type);
            writeCString(out, value);
        });
        out.writeByte(0);
    }

    /** An unmodifiable copy, in the same order, of error or notice fields that can be encoded. */
    static Map<Byte, String> requireFields(Map<Byte, String> fields, String message) {
        Objects.requireNonNull(fields, message + ".fields");
        if (fields.isEmpty()) {
            throw new IllegalArgumentException(message + " needs at least one field");
        }
        fields.forEach((type, value) -> {
            if (type == null || type == 0) {
                throw new IllegalArgumentException(message + " field type must not be 0");
            }
            requireCString(value, message + " field " + describe(type));
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if it contains NUL, which would end it early on the wire
     */
    static String requireCString(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character");
        }
        return value;
    }

    /** An unmodifiable copy of a list without nulls that fits an Int16 count. */
    static <T> List<T> requireList(List<T> list, String what) {
        Objects.requireNonNull(list, what);
        requireCount(list.size(), what);
        return List.copyOf(list);
    }

    /** An unmodifiable copy of a list of values, where null stands for SQL NULL. */
    static List<byte[]> requireValues(List<byte[]> values, String what) {
        Objects.requireNonNull(values, what);
        requireCount(values.size(), what);
        return Collections.unmodifiableList(new ArrayList<>(values));
    }

    static void requireCount(int count, String what) {
        if (count > MAX_COUNT) {
            throw new IllegalArgumentException(
                    what + " has " + count + " entries; the protocol allows at most " + MAX_COUNT);
        }
    }

    /** A type or code byte for messages: {@code 'Q'} when printable, {@code 0x00} otherwise. */
    static String describe(byte code) {
        if (code > 0x20 && code < 0x7F) {
            return "'" + (char) code + "'";
        }
        return String.format("0x%02x", code & 0xFF);
    }
}
