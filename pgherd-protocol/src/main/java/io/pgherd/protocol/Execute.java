package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Execute: runs a portal.
 *
 * @param portal the portal name; empty for the unnamed portal
 * @param maxRows the most rows to return before {@link PortalSuspended}; 0 means no limit
 */
public record Execute(String portal, int maxRows) implements FrontendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'E';

    /** @throws IllegalArgumentException if {@code portal} contains NUL */
    public Execute {
        Wire.requireCString(portal, "Execute.portal");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static Execute decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Execute", body);
        Execute message =
                new Execute(reader.readCString("portal name"), reader.readInt("maximum rows"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, portal);
        out.writeInt(maxRows);
        Wire.endFrame(out, lengthIndex);
    }
}
