package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes a {@link Frame} as type byte, Int32 length and body, without copying the body: it emits
 * a five-byte header buffer followed by the body itself.
 *
 * <p>Takes ownership of each frame written: the body is passed on and the frame released. Other
 * outbound objects pass through untouched. Stateless and {@link Sharable}: use {@link
 * #INSTANCE}.
 */
@Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    /** The shared instance. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(1 + Integer.BYTES);
        header.writeByte(frame.type()).writeInt(frame.length());
        out.add(header);
        // MessageToMessageEncoder releases the frame after this method; the body travels on.
        out.add(frame.content().retain());
    }
}
