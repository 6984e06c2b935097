package io.pgherd.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * The peer sent bytes that break the PostgreSQL wire protocol: a bad length, a truncated or
 * unknown message, a malformed startup packet.
 *
 * <p>Unchecked; extends {@link DecoderException} so that Netty's decoders pass it through
 * unwrapped to {@code exceptionCaught}. The message states what was received against what was
 * expected. After a decoder raised it, the connection cannot be resynchronised: the handler
 * should send {@link #toErrorResponse()} (to a client) and close the channel, unless {@link
 * #answered()} is false: where PostgreSQL only logs the violation and closes without a word (a
 * startup packet of impossible length, or one cut short by the client closing), so does a proxy.
 */
public final class ProtocolException extends DecoderException {

    private final String sqlState;
    private final boolean answered;

    /**
     * @param sqlState the SQLSTATE to report, e.g. {@link SqlState#PROTOCOL_VIOLATION}
     * @param message what was received against what was expected
     */
    public ProtocolException(String sqlState, String message) {
        this(sqlState, message, true);
    }

    private ProtocolException(String sqlState, String message, boolean answered) {
        super(message);
        this.sqlState = SqlState.require(sqlState);
        this.answered = answered;
    }

    /**
     * A protocol violation (SQLSTATE {@code 08P01}) that PostgreSQL's postmaster answers by closing
     * the connection without a message ({@code COMMERROR}: logged on the server only), such as an
     * invalid startup packet length.
     */
    public static ProtocolException unanswered(String message) {
        return new ProtocolException(SqlState.PROTOCOL_VIOLATION, message, false);
    }

    /** A protocol violation (SQLSTATE {@code 08P01}) with the given message. */
    public static ProtocolException violation(String message) {
        return new ProtocolException(SqlState.PROTOCOL_VIOLATION, message);
    }

    /** The SQLSTATE a client should be told, e.g. {@code 08P01}. */
    public String sqlState() {
        return sqlState;
    }

    /**
     * Whether the peer is to be sent {@link #toErrorResponse()} before the connection closes; false
     * where PostgreSQL closes without a message (see {@link #unanswered}).
     */
    public boolean answered() {
        return answered;
    }

    /** A FATAL {@link ErrorResponse} carrying this exception's SQLSTATE and message. */
    public ErrorResponse toErrorResponse() {
        return ErrorResponse.pgherdFatal(sqlState, getMessage());
    }
}
