package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads the untyped packets that open a client connection and emits them as {@link
 * StartupPacket} records: {@link SSLRequest}, {@link GSSENCRequest}, {@link CancelRequest} or
 * {@link StartupMessage}.
 *
 * <p>After an {@code SSLRequest} or {@code GSSENCRequest} the decoder waits for the next startup
 * packet (sent over the encrypted channel, or in the clear after a refusal). Bytes that arrived
 * together with such a request were sent before the client could know the answer and may have
 * been injected by a man in the middle (CVE-2021-23214), so they raise a {@link
 * ProtocolException}. After a {@code StartupMessage} the decoder replaces itself, under the same
 * name, with a {@link PgFrameDecoder}, which receives any bytes already buffered. After a {@code
 * CancelRequest} the client must send nothing more; any further byte is an error.
 *
 * <p>Packets shorter than 8 or longer than {@value StartupPacket#MAX_LENGTH} bytes, requests of the
 * wrong length, protocol versions other than 3.x and malformed parameter lists raise a {@link
 * ProtocolException} as early as the bytes in hand allow, and the decoder discards all later
 * input. As in PostgreSQL's postmaster, a packet of invalid length, a request of the wrong length,
 * bytes after a CancelRequest and a packet cut short by the end of input are {@linkplain
 * ProtocolException#answered() not answered}: the connection is just closed. Not sharable; one instance per channel, used on its event loop.
 */
public final class StartupPacketDecoder extends ByteToMessageDecoder {

    private static final int HEADER_LENGTH = 2 * Integer.BYTES;

    private enum State {
        READ_PACKET,
        CANCELLED,
        FAILED
    }

    private final int maxMessageLength;
    private State state = State.READ_PACKET;

    /**
     * @param maxMessageLength passed to the {@link PgFrameDecoder} that takes over after the
     *     {@code StartupMessage}
     */
    public StartupPacketDecoder(int maxMessageLength) {
        if (maxMessageLength < Integer.BYTES) {
            throw new IllegalArgumentException(
                    "maxMessageLength must be >= 4 bytes (got " + maxMessageLength + ")");
        }
        this.maxMessageLength = maxMessageLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_PACKET -> readPacket(ctx, in, out);
            case CANCELLED -> throw failUnanswered(in, "received " + in.readableBytes()
                    + " bytes after a CancelRequest; expected the client to close the connection");
            case FAILED -> in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (state == State.READ_PACKET) {
            throw failUnanswered(in, "connection closed after " + in.readableBytes()
                    + " bytes of a startup packet" + declaredLength(in));
        }
        decode(ctx, in, out);
    }

    private void readPacket(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        int code = in.getInt(start + Integer.BYTES);
        checkHeader(in, length, code);
        if (in.readableBytes() < length) {
            return;
        }
        StartupPacket packet;
        try {
            packet = decodePacket(code, in.slice(start + HEADER_LENGTH, length - HEADER_LENGTH));
        } catch (ProtocolException e) {
            state = State.FAILED;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        in.skipBytes(length);
        if (packet instanceof StartupMessage) {
            out.add(packet);
            ctx.pipeline().replace(this, ctx.name(), new PgFrameDecoder(maxMessageLength));
        } else if (packet instanceof CancelRequest) {
            out.add(packet);
            state = State.CANCELLED;
        } else {
            requireNothingBuffered(in, packet.getClass().getSimpleName());
            out.add(packet);
        }
    }

    private void checkHeader(ByteBuf in, int length, int code) {
        if (length < HEADER_LENGTH || length > StartupPacket.MAX_LENGTH) {
            throw failUnanswered(in, "invalid startup packet length " + length + " bytes; expected 8 to "
                    + StartupPacket.MAX_LENGTH);
        }
        switch (code) {
            case SSLRequest.CODE -> requireLength(in, "SSLRequest", length, SSLRequest.LENGTH);
            case GSSENCRequest.CODE ->
                    requireLength(in, "GSSENCRequest", length, GSSENCRequest.LENGTH);
            case CancelRequest.CODE ->
                    requireLength(in, "CancelRequest", length, CancelRequest.LENGTH);
            default -> {
                if (code >>> 16 != StartupMessage.MAJOR_VERSION) {
                    throw fail(in, SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                            + (code >>> 16) + "." + (code & 0xFFFF) + "; expected 3.x");
                }
            }
        }
    }

    private static StartupPacket decodePacket(int code, ByteBuf body) {
        return switch (code) {
            case SSLRequest.CODE -> SSLRequest.INSTANCE;
            case GSSENCRequest.CODE -> GSSENCRequest.INSTANCE;
            case CancelRequest.CODE -> CancelRequest.decode(body);
            default -> StartupMessage.decode(code, body);
        };
    }

    private void requireLength(ByteBuf in, String packet, int length, int expected) {
        if (length != expected) {
            throw failUnanswered(in, packet + " declares length " + length + " bytes; expected " + expected);
        }
    }

    private void requireNothingBuffered(ByteBuf in, String request) {
        if (in.isReadable()) {
            throw fail(in, "received " + in.readableBytes() + " unencrypted bytes together with "
                    + request + "; expected nothing before the response");
        }
    }

    private static String declaredLength(ByteBuf in) {
        return in.readableBytes() < Integer.BYTES
                ? ""
                : " that declares " + in.getInt(in.readerIndex()) + " bytes";
    }

    private ProtocolException fail(ByteBuf in, String message) {
        return fail(in, SqlState.PROTOCOL_VIOLATION, message);
    }

    /** A violation PostgreSQL's postmaster only logs before it closes the connection: no ErrorResponse. */
    private ProtocolException failUnanswered(ByteBuf in, String message) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        return ProtocolException.unanswered(message);
    }

    private ProtocolException fail(ByteBuf in, String sqlState, String message) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        return new ProtocolException(sqlState, message);
    }
}
