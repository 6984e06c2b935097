package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * CancelRequest: sent on a new connection to cancel the query running in the backend that
 * {@link BackendKeyData} identified. The secret key is left out of {@link #toString()}.
 *
 * @param processId the process ID of the target backend
 * @param secretKey the secret key of the target backend
 */
public record CancelRequest(int processId, int secretKey) implements StartupPacket {

    /** The request code, 1234 in the high 16 bits and 5678 in the low 16 bits. */
    public static final int CODE = 80877102;
    /** The fixed packet length. */
    public static final int LENGTH = 16;

    /**
     * Decodes the part after length and code, from its reader index to its end.
     *
     * @throws ProtocolException if it is not exactly two Int32
     */
    public static CancelRequest decode(ByteBuf body) {
        BodyReader reader = new BodyReader("CancelRequest", body);
        CancelRequest request =
                new CancelRequest(reader.readInt("process ID"), reader.readInt("secret key"));
        reader.end();
        return request;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(LENGTH).writeInt(CODE).writeInt(processId).writeInt(secretKey);
    }

    @Override
    public String toString() {
        return "CancelRequest[processId=" + processId + ", secretKey=<hidden>]";
    }
}
