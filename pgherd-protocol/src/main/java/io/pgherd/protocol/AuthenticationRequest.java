package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A message of type {@code 'R'}: the server's request in, or the end of, the authentication
 * exchange. The Int32 that starts the body tells which one.
 */
public sealed interface AuthenticationRequest extends BackendMessage
        permits AuthenticationOk, AuthenticationKerberosV5, AuthenticationCleartextPassword,
                AuthenticationMD5Password, AuthenticationGSS, AuthenticationGSSContinue,
                AuthenticationSSPI, AuthenticationSASL, AuthenticationSASLContinue,
                AuthenticationSASLFinal {

    /** The type byte shared by all authentication requests. */
    byte TYPE = 'R';

    /**
     * Decodes the body of an {@code 'R'} message, from its reader index to its end.
     *
     * @throws ProtocolException for an unknown authentication code or a malformed body
     */
    static AuthenticationRequest decode(ByteBuf body) {
        BodyReader reader = new BodyReader("Authentication", body);
        int code = reader.readInt("authentication code");
        AuthenticationRequest request = switch (code) {
            case AuthenticationOk.CODE -> AuthenticationOk.INSTANCE;
            case AuthenticationKerberosV5.CODE -> AuthenticationKerberosV5.INSTANCE;
            case AuthenticationCleartextPassword.CODE -> AuthenticationCleartextPassword.INSTANCE;
            case AuthenticationMD5Password.CODE ->
                    new AuthenticationMD5Password(reader.readBytes(4, "salt"));
            case AuthenticationGSS.CODE -> AuthenticationGSS.INSTANCE;
            case AuthenticationGSSContinue.CODE -> new AuthenticationGSSContinue(reader.readRest());
            case AuthenticationSSPI.CODE -> AuthenticationSSPI.INSTANCE;
            case AuthenticationSASL.CODE -> AuthenticationSASL.decodeMechanisms(reader);
            case AuthenticationSASLContinue.CODE ->
                    new AuthenticationSASLContinue(reader.readRest());
            case AuthenticationSASLFinal.CODE -> new AuthenticationSASLFinal(reader.readRest());
            default -> throw reader.fail("unknown authentication code " + code
                    + " (expected 0, 2, 3, 5, 7, 8, 9, 10, 11 or 12)");
        };
        reader.end();
        return request;
    }
}
