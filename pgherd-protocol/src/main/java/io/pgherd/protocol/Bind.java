package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Bind: creates a portal from a prepared statement and parameter values.
 *
 * @param portal the portal name; empty for the unnamed portal
 * @param statement the prepared statement name; empty for the unnamed statement
 * @param parameterFormats no entry (all text), one (applies to all) or one per parameter
 * @param parameterValues the values; a null element is SQL NULL (length -1 on the wire)
 * @param resultFormats no entry (all text), one (applies to all) or one per result column
 */
public record Bind(String portal, String statement, List<FormatCode> parameterFormats,
        List<byte[]> parameterValues, List<FormatCode> resultFormats) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'B';

    /** @throws IllegalArgumentException if a name contains NUL or a list has over 65535 entries */
    public Bind {
        Wire.requireCString(portal, "Bind.portal");
        Wire.requireCString(statement, "Bind.statement");
        parameterFormats = Wire.requireList(parameterFormats, "Bind.parameterFormats");
        parameterValues = Wire.requireValues(parameterValues, "Bind.parameterValues");
        resultFormats = Wire.requireList(resultFormats, "Bind.resultFormats");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Bind decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Bind", body);
        Bind message = new Bind(reader.readCString("portal name"),
                reader.readCString("statement name"), reader.readFormats("parameter format"),
                reader.readValues("parameter value"), reader.readFormats("result format"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, portal);
        Wire.writeCString(out, statement);
        Wire.writeFormats(out, parameterFormats);
        Wire.writeValues(out, parameterValues);
        Wire.writeFormats(out, resultFormats);
        Wire.endFrame(out, lengthIndex);
    }

    /** Compares parameter values by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Bind bind && portal.equals(bind.portal)
                && statement.equals(bind.statement)
                && parameterFormats.equals(bind.parameterFormats)
                && ByteArrays.equals(parameterValues, bind.parameterValues)
                && resultFormats.equals(bind.resultFormats);
    }

    @Override
    public int hashCode() {
        return ((portal.hashCode() * 31 + statement.hashCode()) * 31
                + ByteArrays.hashCode(parameterValues)) * 31 + resultFormats.hashCode();
    }

    /** Shows value sizes, not values. */
    @Override
    public String toString() {
        return "Bind[portal=" + portal + ", statement=" + statement + ", parameterFormats="
                + parameterFormats + ", parameterValues=" + ByteArrays.describe(parameterValues)
                + ", resultFormats=" + resultFormats + "]";
    }
}
