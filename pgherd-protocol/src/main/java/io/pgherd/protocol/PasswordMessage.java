package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * PasswordMessage: the password, in clear text or MD5-hashed as the server asked. Its type byte
 * {@code 'p'} is shared with other authentication responses, so {@link FrontendMessage#decode}
 * leaves it to the authenticator. The password is left out of {@link #toString()}.
 *
 * @param password the password or its MD5 form ({@code md5} followed by 32 hex digits)
 */
public record PasswordMessage(String password) implements FrontendMessage {

    /** The message type byte, shared by all authentication responses. */
    public static final byte TYPE = 'p';

    /** @throws IllegalArgumentException if {@code password} contains NUL */
    public PasswordMessage {
        Wire.requireCString(password, "PasswordMessage.password");
    }

    /**
     * Decodes a body, from its reader index to its end.
     *
     * @throws ProtocolException if the body is malformed
     */
    public static PasswordMessage decode(ByteBuf body) {
        BodyReader reader = new BodyReader("PasswordMessage", body);
        PasswordMessage message = new PasswordMessage(reader.readCString("password"));
        reader.end();
        return message;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = Wire.beginFrame(out, TYPE);
        Wire.writeCString(out, password);
        Wire.endFrame(out, lengthIndex);
    }

    @Override
    public String toString() {
        return "PasswordMessage[password=<hidden>]";
    }
}
