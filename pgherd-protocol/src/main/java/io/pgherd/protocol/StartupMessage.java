package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * StartupMessage: the protocol version and the run-time parameters (at least {@code user}) that
 * open a session.
 *
 * @param protocolVersion major version in the high 16 bits, minor in the low 16; 3.0 is {@link
 *     #PROTOCOL_3_0}; later 3.x minors are accepted so that the server side can answer with
 *     {@link NegotiateProtocolVersion}
 * @param parameters names and values in wire order, unmodifiable; names are unique and non-empty
 */
public record StartupMessage(int protocolVersion, Map<String, String> parameters)
        implements StartupPacket {

    /** Protocol version 3.0, as the Int32 196608. */
    public static final int PROTOCOL_3_0 = 196608;
    /** The only supported major protocol version. */
    public static final int MAJOR_VERSION = 3;

    /**
     * @throws IllegalArgumentException if the major version is not 3, {@code user} is missing,
     *     or a name is empty or a name or value contains NUL
     */
    public StartupMessage {
        if (protocolVersion >>> 16 != MAJOR_VERSION) {
            throw new IllegalArgumentException("protocolVersion must be 3.x (got "
                    + (protocolVersion >>> 16) + "." + (protocolVersion & 0xFFFF) + ")");
        }
        Objects.requireNonNull(parameters, "parameters");
        parameters.forEach((name, value) -> {
            if (Wire.requireCString(name, "StartupMessage parameter name").isEmpty()) {
                throw new IllegalArgumentException("StartupMessage parameter name is empty");
            }
            Wire.requireCString(value, "StartupMessage parameter " + name);
        });
        if (!parameters.containsKey("user")) {
            throw new IllegalArgumentException("StartupMessage requires the parameter user");
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A protocol 3.0 startup message. */
    public StartupMessage(Map<String, String> parameters) {
        this(PROTOCOL_3_0, parameters);
    }

    /**
     * Decodes the parameter list that follows length and version, from its reader index to its
     * end: name/value pairs of strings, ended by an empty name.
     *
     * @throws ProtocolException if the list is not terminated, a name repeats, anything follows
     *     the terminator, or {@code user} is missing (SQLSTATE 28000)
     */
    public static StartupMessage decode(int protocolVersion, ByteBuf body) {
        BodyReader reader = new BodyReader("StartupMessage", body);
        Map<String, String> parameters = new LinkedHashMap<>();
        while (true) {
            if (!reader.isReadable()) {
                throw reader.fail("parameter list does not end with an empty name");
            }
            String name = reader.readCString("parameter name");
            if (name.isEmpty()) {
                break;
            }
            String value = reader.readCString("value of parameter " + name);
            if (parameters.put(name, value) != null) {
                throw reader.fail("parameter " + name + " appears more than once");
            }
        }
        reader.end();
        if (!parameters.containsKey("user")) {
            throw new ProtocolException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "StartupMessage has no user parameter; expected a user name");
        }
        return new StartupMessage(protocolVersion, parameters);
    }

    /** The {@code user} parameter. */
    public String user() {
        return parameters.get("user");
    }

    /** The {@code database} parameter; absent or empty, it is the user name, as in PostgreSQL. */
    public String database() {
        String database = parameters.get("database");
        return database == null || database.isEmpty() ? user() : database;
    }

    @Override
    public void encode(ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0).writeInt(protocolVersion);
        parameters.forEach((name, value) -> {
            Wire.writeCString(out, name);
            Wire.writeCString(out, value);
        });
        out.writeByte(0);
        out.setInt(start, out.writerIndex() - start);
    }
}
