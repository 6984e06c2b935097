package io.pgherd.proxy.auth;

import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.SqlState;
import java.util.Objects;

/**
 * A client did not prove that it knows the password of the user it logs in as: a wrong SCRAM
 * proof, a wrong md5 response, or a user the proxy has no secret for.
 *
 * <p>The message is the one PostgreSQL sends, {@code password authentication failed for user
 * "alice"}, and the same for every cause, so that a client cannot learn which users exist. The
 * cause for the proxy's own log is in {@link #reason()}, which must not be sent to the client.
 * The caller answers {@link #toErrorResponse()} (SQLSTATE {@code 28P01}) and closes the
 * connection.
 */
public final class AuthenticationFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String user;
    private final String reason;

    /**
     * @param user the user the client logged in as (the StartupMessage's {@code user})
     * @param reason why, for the proxy's log only, e.g. {@code SCRAM proof does not match}
     */
    public AuthenticationFailedException(String user, String reason) {
        super("password authentication failed for user \"" + Objects.requireNonNull(user, "user")
                + "\"");
        this.user = user;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The user the client logged in as. */
    public String user() {
        return user;
    }

    /** Why the login failed, for the proxy's log; never for the client. */
    public String reason() {
        return reason;
    }

    /** {@code 28P01}, invalid_password. */
    public String sqlState() {
        return SqlState.INVALID_PASSWORD;
    }

    /** A FATAL ErrorResponse with SQLSTATE 28P01 and {@link #getMessage()}. */
    public ErrorResponse toErrorResponse() {
        return ErrorResponse.pgherdFatal(sqlState(), getMessage());
    }
}
