package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** PortalSuspended: an Execute reached its row limit before the portal ended. */
public record PortalSuspended() implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 's';
    /** The only value. */
    public static final PortalSuspended INSTANCE = new PortalSuspended();

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not empty
     */
    public static PortalSuspended decode(ByteBuf body) {
        new BodyReader("PortalSuspended", body).end();
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        Wire.writeEmptyFrame(out, TYPE);
    }
}
