package io.pgherd.proxy.auth;

/**
 * The proxy could not log in to a PostgreSQL server on a client's behalf because of the server's
 * side of the SCRAM exchange: a malformed or out-of-order message, a nonce that does not extend
 * the proxy's, an error the server sent in its server-final-message, a secret on the server that
 * differs from the proxy's, or a server signature that does not verify — which means the server
 * does not hold the user's secret, so it is not who it claims to be.
 *
 * <p>The message names what was received against what was expected, never key material. The
 * caller closes the server connection and logs the message.
 */
public final class ServerAuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what the server sent against what was expected, without secrets */
    public ServerAuthenticationException(String message) {
        super(message);
    }

    /** @param cause for example the base64 decoder's complaint */
    public ServerAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
