package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link PgMessage} records as their wire bytes. Other outbound objects, such as raw
 * {@link Frame}s, pass through untouched.
 *
 * <p>Stateless and {@link Sharable}: use {@link #INSTANCE}.
 */
@Sharable
public final class PgMessageEncoder extends MessageToByteEncoder<PgMessage> {

    /** The shared instance. */
    public static final PgMessageEncoder INSTANCE = new PgMessageEncoder();

    private PgMessageEncoder() {
        super(PgMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PgMessage message, ByteBuf out) {
        message.encode(out);
    }
}
