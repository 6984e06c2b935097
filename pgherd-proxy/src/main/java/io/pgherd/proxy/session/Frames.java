package io.pgherd.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.PgMessage;

/** Turns typed messages into {@link Frame}s, for answers the proxy makes up and messages it slips in. */
public final class Frames {
    private Frames() {
    }

    /** The message as a frame; the caller owns it. */
    public static Frame of(PgMessage message, ByteBufAllocator alloc) {
        ByteBuf buf = alloc.buffer();
        message.encode(buf);
        byte type = buf.readByte();
        buf.skipBytes(Integer.BYTES);
        return new Frame(type, buf);
    }
}
