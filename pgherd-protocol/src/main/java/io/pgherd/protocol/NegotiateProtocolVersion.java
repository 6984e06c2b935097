package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * NegotiateProtocolVersion: the server supports an older minor protocol version than the client
 * asked for, or does not recognise some {@code _pq_.} protocol options.
 *
 * @param newestMinorVersion the newest minor protocol version the server supports for the major
 *     version the client asked for
 * @param unrecognizedOptions the protocol options the server did not recognise
 */
public record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions)
        implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'v';

    /** @throws IllegalArgumentException if an option contains NUL */
    public NegotiateProtocolVersion {
        unrecognizedOptions = List.copyOf(unrecognizedOptions);
        unrecognizedOptions.forEach(
                option -> Wire.requireCString(option, "NegotiateProtocolVersion option"));
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed or the option count is negative
     */
    public static NegotiateProtocolVersion decode(ByteBuf body) {
        BodyReader reader = new BodyReader("NegotiateProtocolVersion", body);
        int newestMinorVersion = reader.readInt("newest minor protocol version");
        int count = reader.readInt("option count");
        if (count < 0) {
            throw reader.fail("option count " + count + " is negative");
        }
        List<String> options = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            options.add(reader.readCString("option " + i));
        }
        reader.end();
        return new NegotiateProtocolVersion(newestMinorVersion, options);
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeInt(newestMinorVersion).writeInt(unrecognizedOptions.size());
        for (String option : unrecognizedOptions) {
            Wire.writeCString(out, option);
        }
        Wire.endFrame(out, lengthIndex);
    }
}
