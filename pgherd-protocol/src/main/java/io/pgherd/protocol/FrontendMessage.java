package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** A message a client sends to a server. */
public sealed interface FrontendMessage extends PgMessage
        permits StartupPacket, Bind, Close, CopyData, CopyDone, CopyFail, Describe, Execute, Flush,
                FunctionCall, GSSResponse, Parse, PasswordMessage, Query, SASLInitialResponse,
                SASLResponse, Sync, Terminate {

    /**
     * Decodes a frame a client sent after the startup packet.
     *
     * <p>Reads from a duplicate of the frame's body: the frame keeps its reader index and its
     * reference count, so it can still be forwarded, and the caller still owns it.
     *
     * <p>Type {@code 'p'} is shared by {@link PasswordMessage}, {@link SASLInitialResponse},
     * {@link SASLResponse} and {@link GSSResponse}, and only the authentication exchange knows
     * which one is due, so it is rejected here; the authenticator decodes the body with the
     * record's own {@code decode}. Outside authentication a {@code 'p'} is a protocol violation
     * anyway, as it is for PostgreSQL.
     *
     * @throws ProtocolException for an unknown or {@code 'p'} type byte, or a malformed body
     */
    static FrontendMessage decode(Frame frame) {
        ByteBuf body = frame.content().duplicate();
        return switch (frame.type()) {
            case Bind.TYPE -> Bind.decode(body);
            case Close.TYPE -> Close.decode(body);
            case CopyData.TYPE -> CopyData.decode(body);
            case CopyDone.TYPE -> CopyDone.decode(body);
            case CopyFail.TYPE -> CopyFail.decode(body);
            case Describe.TYPE -> Describe.decode(body);
            case Execute.TYPE -> Execute.decode(body);
            case Flush.TYPE -> Flush.decode(body);
            case FunctionCall.TYPE -> FunctionCall.decode(body);
            case Parse.TYPE -> Parse.decode(body);
            case Query.TYPE -> Query.decode(body);
            case Sync.TYPE -> Sync.decode(body);
            case Terminate.TYPE -> Terminate.decode(body);
            case PasswordMessage.TYPE -> throw ProtocolException.violation(
                    "frontend message 'p' is only valid during authentication, where the"
                            + " authenticator decodes it as the response it asked for");
            default -> throw ProtocolException.violation(
                    "unknown frontend message type " + Wire.describe(frame.type()));
        };
    }
}
