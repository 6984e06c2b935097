package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * BackendKeyData: the key a client needs to cancel queries of this session with a {@link
 * CancelRequest}. The secret key is left out of {@link #toString()}.
 *
 * @param processId the process ID of the backend
 * @param secretKey the secret key of the backend
 */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'K';

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is not two Int32
     */
    public static BackendKeyData decode(ByteBuf body) {
        BodyReader reader = new BodyReader("BackendKeyData", body);
        BackendKeyData message =
                new BackendKeyData(reader.readInt("process ID"), reader.readInt("secret key"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(TYPE).writeInt(12).writeInt(processId).writeInt(secretKey);
    }

    @Override
    public String toString() {
        return "BackendKeyData[processId=" + processId + ", secretKey=<hidden>]";
    }
}
