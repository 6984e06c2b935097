package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * NotificationResponse: a NOTIFY on a channel this session LISTENs to.
 *
 * @param processId the process ID of the notifying backend
 * @param channel the channel name
 * @param payload the payload; empty when none was given
 */
public record NotificationResponse(int processId, String channel, String payload)
        implements BackendMessage {

    /** The message type byte. */
    public static final byte TYPE = 'A';

    /** @throws IllegalArgumentException if a string contains NUL */
    public NotificationResponse {
        Wire.requireCString(channel, "NotificationResponse.channel");
        Wire.requireCString(payload, "NotificationResponse.payload");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static NotificationResponse decode(ByteBuf body) {
        BodyReader reader = new BodyReader("NotificationResponse", body);
        NotificationResponse message = new NotificationResponse(reader.readInt("process ID"),
                reader.readCString("channel name"), reader.readCString("payload"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        out.writeInt(processId);
        Wire.writeCString(out, channel);
        Wire.writeCString(out, payload);
        Wire.endFrame(out, lengthIndex);
    }
}
