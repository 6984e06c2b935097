package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RowDescription: the columns of the rows that follow.
 *
 * @param fields one entry per column, unmodifiable
 */
public record RowDescription(List<Field> fields) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'T';

    /**
     * One column of a {@link RowDescription}. OIDs are unsigned on the wire and kept as their
     * Int32 bits.
     *
     * @param name the column name
     * @param tableOid the table the column comes from, or 0
     * @param columnAttributeNumber the column's attribute number in that table, or 0
     * @param dataTypeOid the type of the column
     * @param dataTypeSize the type size ({@code pg_type.typlen}); negative for variable width
     * @param typeModifier the type modifier ({@code pg_attribute.atttypmod})
     * @param format the format the values come in; text in a response to Describe of a statement
     */
    public record Field(String name, int tableOid, short columnAttributeNumber, int dataTypeOid,
            short dataTypeSize, int typeModifier, FormatCode format) {

        /** @throws IllegalArgumentException if {@code name} contains NUL */
        public Field {
            Wire.requireCString(name, "RowDescription.Field.name");
            Objects.requireNonNull(format, "RowDescription.Field.format");
        }
    }

    /** @throws IllegalArgumentException if there are over 65535 fields */
    public RowDescription {
        fields = Wire.requireList(fields, "RowDescription.fields");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static RowDescription decode(ByteBuf body) {
        BodyReader reader = new BodyReader("RowDescription", body);
        int count = reader.readCount("field count");
        List<Field> fields = new ArrayList<>(Math.min(count, 64));
        for (int i = 1; i <= count; i++) {
            String field = "field " + i + " ";
            fields.add(new Field(reader.readCString(field + "name"),
                    reader.readInt(field + "table OID"),
                    reader.readShort(field + "column attribute number"),
                    reader.readInt(field + "data type OID"),
                    reader.readShort(field + "data type size"),
                    reader.readInt(field + "type modifier"),
                    reader.readFormat(field + "format")));
        }
        reader.end();
        return new RowDescription(fields);
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeShort(fields.size());
        for (Field field : fields) {
            Wire.writeCString(out, field.name());
            out.writeInt(field.tableOid())
                    .writeShort(field.columnAttributeNumber())
                    .writeInt(field.dataTypeOid())
                    .writeShort(field.dataTypeSize())
                    .writeInt(field.typeModifier())
                    .writeShort(field.format().code());
        }
        Wire.endFrame(out, lengthIndex);
    }
}
