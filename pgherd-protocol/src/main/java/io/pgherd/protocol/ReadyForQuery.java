package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * ReadyForQuery: the server is ready for a new query cycle.
 *
 * @param status the transaction status of the session
 */
public record ReadyForQuery(TransactionStatus status) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'Z';

    /** Not in a transaction block. */
    public static final ReadyForQuery IDLE = new ReadyForQuery(TransactionStatus.IDLE);

    public ReadyForQuery {
        Objects.requireNonNull(status, "ReadyForQuery.status");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not one known status byte
     */
    public static ReadyForQuery decode(ByteBuf body) {
        BodyReader reader = new BodyReader("ReadyForQuery", body);
        ReadyForQuery message =
                new ReadyForQuery(TransactionStatus.of(reader.readByte("transaction status")));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(5).writeByte(status.code());
    }
}
