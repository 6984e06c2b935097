package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * AuthenticationSASL: the server wants SASL authentication and lists the mechanisms it offers,
 * in order of preference. Decoded by {@link AuthenticationRequest#decode}.
 *
 * @param mechanisms the mechanism names, e.g. {@code SCRAM-SHA-256}; at least one, none empty
 */
public record AuthenticationSASL(List<String> mechanisms) implements AuthenticationRequest {

    /** The authentication code. */
    public static final int CODE = 10;

    /** @throws IllegalArgumentException if the list is empty or a name is empty or has NUL */
    public AuthenticationSASL {
        mechanisms = List.copyOf(mechanisms);
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("AuthenticationSASL needs at least one mechanism");
        }
        for (String mechanism : mechanisms) {
            if (Wire.requireCString(mechanism, "AuthenticationSASL mechanism").isEmpty()) {
                throw new IllegalArgumentException("AuthenticationSASL mechanism is empty");
            }
        }
    }

    /** Reads the mechanism names that follow the code, up to and including the empty name. */
    static AuthenticationSASL decodeMechanisms(BodyReader reader) {
        List<String> mechanisms = new ArrayList<>();
        while (true) {
            if (!reader.isReadable()) {
                throw reader.fail("mechanism list does not end with an empty name");
            }
            String mechanism = reader.readCString("mechanism name");
            if (mechanism.isEmpty()) {
                break;
            }
            mechanisms.add(mechanism);
        }
        if (mechanisms.isEmpty()) {
            throw reader.fail("AuthenticationSASL lists no mechanism");
        }
        return new AuthenticationSASL(mechanisms);
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeInt(CODE);
        for (String mechanism : mechanisms) {
            Wire.writeCString(out, mechanism);
        }
        out.writeByte(0);
        Wire.endFrame(out, lengthIndex);
    }
}
