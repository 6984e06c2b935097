package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * FunctionCall: calls a function through the legacy fast-path interface.
 *
 * @param functionOid the OID of the function
 * @param argumentFormats no entry (all text), one (applies to all) or one per argument
 * @param arguments the argument values; a null element is SQL NULL (length -1 on the wire)
 * @param resultFormat the format of the result
 */
public record FunctionCall(int functionOid, List<FormatCode> argumentFormats,
        List<byte[]> arguments, FormatCode resultFormat) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'F';

    /** @throws IllegalArgumentException if a list has over 65535 entries */
    public FunctionCall {
        argumentFormats = Wire.requireList(argumentFormats, "FunctionCall.argumentFormats");
        arguments = Wire.requireValues(arguments, "FunctionCall.arguments");
        Objects.requireNonNull(resultFormat, "FunctionCall.resultFormat");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static FunctionCall decode(ByteBuf body) {
        BodyReader reader = new BodyReader("FunctionCall", body);
        FunctionCall message = new FunctionCall(reader.readInt("function OID"),
                reader.readFormats("argument format"), reader.readValues("argument"),
                reader.readFormat("result format"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeInt(functionOid);
        Wire.writeFormats(out, argumentFormats);
        Wire.writeValues(out, arguments);
        out.writeShort(resultFormat.code());
        Wire.endFrame(out, lengthIndex);
    }

    /** Compares arguments by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FunctionCall that && functionOid == that.functionOid
                && argumentFormats.equals(that.argumentFormats)
                && ByteArrays.equals(arguments, that.arguments)
                && resultFormat == that.resultFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(functionOid, argumentFormats, ByteArrays.hashCode(arguments),
                resultFormat);
    }

    /** Shows argument sizes, not arguments. */
    @Override
    public String toString() {
        return "FunctionCall[functionOid=" + functionOid + ", argumentFormats=" + argumentFormats
                + ", arguments=" + ByteArrays.describe(arguments) + ", resultFormat="
                + resultFormat + "]";
    }
}
