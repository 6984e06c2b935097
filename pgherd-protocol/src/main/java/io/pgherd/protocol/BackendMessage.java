package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/** A message a server sends to a client. */
public sealed interface BackendMessage extends PgMessage
        permits AuthenticationRequest, BackendKeyData, BindComplete, CloseComplete, CommandComplete,
                CopyBothResponse, CopyData, CopyDone, CopyInResponse, CopyOutResponse, DataRow,
                EmptyQueryResponse, ErrorResponse, FunctionCallResponse, NegotiateProtocolVersion,
                NoData, NoticeResponse, NotificationResponse, ParameterDescription,
                ParameterStatus, ParseComplete, PortalSuspended, ReadyForQuery, RowDescription {

    /**
     * Decodes a frame a server sent.
     *
     * <p>Reads from a duplicate of the frame's body: the frame keeps its reader index and its
     * reference count, so it can still be forwarded, and the caller still owns it.
     *
     * @throws ProtocolException for an unknown type byte or authentication code, or a
     *     malformed body
     */
    static BackendMessage decode(Frame frame) {
        ByteBuf body = frame.content().duplicate();
        return switch (frame.type()) {
            case AuthenticationRequest.TYPE -> AuthenticationRequest.decode(body);
            case BackendKeyData.TYPE -> BackendKeyData.decode(body);
            case BindComplete.TYPE -> BindComplete.decode(body);
            case CloseComplete.TYPE -> CloseComplete.decode(body);
            case CommandComplete.TYPE -> CommandComplete.decode(body);
            case CopyBothResponse.TYPE -> CopyBothResponse.decode(body);
            case CopyData.TYPE -> CopyData.decode(body);
            case CopyDone.TYPE -> CopyDone.decode(body);
            case CopyInResponse.TYPE -> CopyInResponse.decode(body);
            case CopyOutResponse.TYPE -> CopyOutResponse.decode(body);
            case DataRow.TYPE -> DataRow.decode(body);
            case EmptyQueryResponse.TYPE -> EmptyQueryResponse.decode(body);
            case ErrorResponse.TYPE -> ErrorResponse.decode(body);
            case FunctionCallResponse.TYPE -> FunctionCallResponse.decode(body);
            case NegotiateProtocolVersion.TYPE -> NegotiateProtocolVersion.decode(body);
            case NoData.TYPE -> NoData.decode(body);
            case NoticeResponse.TYPE -> NoticeResponse.decode(body);
            case NotificationResponse.TYPE -> NotificationResponse.decode(body);
            case ParameterDescription.TYPE -> ParameterDescription.decode(body);
            case ParameterStatus.TYPE -> ParameterStatus.decode(body);
            case ParseComplete.TYPE -> ParseComplete.decode(body);
            case PortalSuspended.TYPE -> PortalSuspended.decode(body);
            case ReadyForQuery.TYPE -> ReadyForQuery.decode(body);
            case RowDescription.TYPE -> RowDescription.decode(body);
            default -> throw ProtocolException.violation(
                    "unknown backend message type " + Wire.describe(frame.type()));
        };
    }
}
