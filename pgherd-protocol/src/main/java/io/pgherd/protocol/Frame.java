package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One typed protocol message as raw bytes: the type byte and the body (everything after the
 * Int32 length), as cut by {@link PgFrameDecoder}.
 *
 * <p>Reference-counted: the body is usually a retained slice of the receive buffer, not a copy.
 * Whoever holds a frame must either pass it on (for example write it, which releases it) or
 * {@link #release()} it. Not thread-safe; use it on the channel's event loop.
 */
public final class Frame extends DefaultByteBufHolder {

    private final byte type;

    /**
     * @param type the message type byte, e.g. {@code 'Q'}
     * @param body the body without type and length; ownership passes to the frame
     */
    public Frame(byte type, ByteBuf body) {
        super(body);
        this.type = type;
    }

    /** The message type byte. */
    public byte type() {
        return type;
    }

    /** The value of the Int32 length field: the body plus the four bytes of the length. */
    public int length() {
        return content().readableBytes() + Integer.BYTES;
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(type, content);
    }

    @Override
    public Frame copy() {
        return (Frame) super.copy();
    }

    @Override
    public Frame duplicate() {
        return (Frame) super.duplicate();
    }

    @Override
    public Frame retainedDuplicate() {
        return (Frame) super.retainedDuplicate();
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        super.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    /** Equal when type and body bytes are equal, as for any {@link DefaultByteBufHolder}. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Frame frame && frame.type == type && super.equals(other);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + type;
    }

    /** Type and size only: a body may hold credentials or row data. */
    @Override
    public String toString() {
        return "Frame(" + Wire.describe(type) + ", " + content().readableBytes() + " bytes)";
    }
}
