package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Parse: creates a prepared statement (extended query protocol).
 *
 * @param name the statement name; empty for the unnamed statement
 * @param query the SQL text of one statement
 * @param parameterTypeOids the OIDs of parameter types the client fixes (0 leaves one
 *     unspecified), unmodifiable; OIDs are unsigned on the wire and kept as their Int32 bits
 */
public record Parse(String name, String query, List<Integer> parameterTypeOids)
        implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'P';

    /** @throws IllegalArgumentException if a string contains NUL or there are over 65535 types */
    public Parse {
        Wire.requireCString(name, "Parse.name");
        Wire.requireCString(query, "Parse.query");
        parameterTypeOids = Wire.requireList(parameterTypeOids, "Parse.parameterTypeOids");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Parse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Parse", body);
        Parse message = new Parse(reader.readCString("statement name"),
                reader.readCString("query string"), reader.readOids("parameter type"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, name);
        Wire.writeCString(out, query);
        out.writeShort(parameterTypeOids.size());
        for (int oid : parameterTypeOids) {
            out.writeInt(oid);
        }
        Wire.endFrame(out, lengthIndex);
    }
}
