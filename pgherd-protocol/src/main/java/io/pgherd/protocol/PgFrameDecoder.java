package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts a stream of typed protocol messages (Byte1 type, Int32 length counting itself, body) into
 * {@link Frame}s, without looking at their content.
 *
 * <p>Zero-copy: a frame's body is a retained slice of the receive buffer; the handler that reads
 * a frame owns it and must forward or release it. A frame kept for long keeps the whole receive
 * buffer it was cut from alive, so a frame that must outlive the read should be copied.
 *
 * <p>A length below 4 or above the configured maximum raises a {@link ProtocolException} as soon
 * as the five header bytes are in, without waiting for the body; so does a connection that
 * closes in the middle of a message. After an error the stream cannot be resynchronised: the
 * decoder discards everything it receives from then on, and the handler should report the error
 * and close the channel.
 *
 * <p>Not sharable; one instance per channel, used on its event loop.
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {

    private static final int HEADER_LENGTH = 1 + Integer.BYTES;

    private enum State {
        READ_FRAME,
        FAILED
    }

    private final int maxMessageLength;
    private State state = State.READ_FRAME;

    /**
     * @param maxMessageLength the largest accepted value of the Int32 length field, in bytes
     *     (the length counts itself and the body, not the type byte); at least 4
     */
    public PgFrameDecoder(int maxMessageLength) {
        if (maxMessageLength < Integer.BYTES) {
            throw new IllegalArgumentException(
                    "maxMessageLength must be >= 4 bytes (got " + maxMessageLength + ")");
        }
        this.maxMessageLength = maxMessageLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_FRAME -> readFrame(in, out);
            case FAILED -> in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (state == State.READ_FRAME && in.isReadable()) {
            int before = in.readableBytes();
            readFrame(in, out);
            if (in.readableBytes() == before) {
                throw fail(in, truncation(in));
            }
        }
        in.skipBytes(in.readableBytes());
    }

    private void readFrame(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        byte type = in.getByte(start);
        int length = in.getInt(start + 1);
        if (length < Integer.BYTES || length > maxMessageLength) {
            throw fail(in, "message " + Wire.describe(type) + " declares length " + length
                    + " bytes; expected 4 to " + maxMessageLength);
        }
        if (in.readableBytes() < 1 + length) {
            return;
        }
        out.add(new Frame(type, in.retainedSlice(start + HEADER_LENGTH, length - Integer.BYTES)));
        in.skipBytes(1 + length);
    }

    private static String truncation(ByteBuf in) {
        if (in.readableBytes() < HEADER_LENGTH) {
            return "connection closed after " + in.readableBytes() + " of the "
                    + HEADER_LENGTH + " header bytes of a message";
        }
        byte type = in.getByte(in.readerIndex());
        int length = in.getInt(in.readerIndex() + 1);
        return "connection closed after " + in.readableBytes() + " of the " + (1 + length)
                + " bytes of message " + Wire.describe(type);
    }

    private ProtocolException fail(ByteBuf in, String message) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        return ProtocolException.violation(message);
    }
}
