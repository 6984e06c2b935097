package io.pgherd.proxy.auth;

import io.pgherd.protocol.ProtocolException;
import io.pgherd.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The proxy's side, as SCRAM server, of one client's SCRAM-SHA-256 login (RFC 5802, RFC 7677),
 * without channel binding; and the recovery of the client's ClientKey from its proof, so that
 * the proxy can then log in to servers on the client's behalf ({@link ScramClientExchange}).
 *
 * <p>The caller offers {@link #MECHANISMS} in AuthenticationSASL, then:
 * <ol>
 *   <li>{@link #receiveClientFirst} with the SASLInitialResponse's mechanism and data; sends the
 *       result in AuthenticationSASLContinue;
 *   <li>{@link #receiveClientFinal} with the SASLResponse's data; sends the result in
 *       AuthenticationSASLFinal, then AuthenticationOk;
 *   <li>{@link #recoveredKeys()} to log in to servers.
 * </ol>
 *
 * <p>As in PostgreSQL, the user is the StartupMessage's; the {@code n=} user name of the
 * client-first-message is ignored (clients such as libpq send it empty). The gs2 flags {@code n}
 * and {@code y} are accepted; {@code p} (channel binding) is refused because no
 * {@code SCRAM-SHA-256-PLUS} is offered, as is an authorization identity.
 *
 * <p>Errors: a message that breaks the SCRAM syntax or this sequence raises {@link
 * ProtocolException} (SQLSTATE {@code 08P01}, or {@code 0A000} for an authorization identity)
 * whose message says what was wrong; a wrong proof raises {@link
 * AuthenticationFailedException} (SQLSTATE {@code 28P01}). Either way the exchange is over:
 * later calls throw {@link IllegalStateException}, and the caller sends the exception's
 * ErrorResponse and closes the connection. Proofs are compared in constant time.
 *
 * <p>For a user without a SCRAM secret, {@link #failing} runs the same exchange with a made-up
 * salt that is stable per user, and fails at the proof, as PostgreSQL does, so that a client
 * cannot tell which users exist.
 *
 * <p>Not thread-safe: one instance per login, used on the client channel's event loop. Its
 * {@link #toString()} shows the user and the state only.
 */
public final class ScramServerExchange {

    /** The only mechanism offered. */
    public static final String MECHANISM = Scram.MECHANISM;
    /** What to list in AuthenticationSASL. */
    public static final List<String> MECHANISMS = List.of(MECHANISM);

    private static final String CLIENT_FIRST = "SCRAM client-first-message";
    private static final String CLIENT_FINAL = "SCRAM client-final-message";
    /** Stable per process, so that a probe for a missing user sees the same salt each time. */
    private static final byte[] MOCK_SALT_KEY = Scram.randomBytes(Scram.KEY_LENGTH);

    private enum State {
        AWAIT_CLIENT_FIRST,
        AWAIT_CLIENT_FINAL,
        SUCCEEDED,
        FAILED
    }

    private final String user;
    private final ScramSecret secret;
    /** Null for a real user; for {@link #failing}, why it fails, for the log. */
    private final String failureReason;
    private final String serverNonce;

    private State state = State.AWAIT_CLIENT_FIRST;
    private String gs2Header;
    private String nonce;
    private String clientFirstBare;
    private String serverFirst;
    private byte[] clientKey;

    private ScramServerExchange(String user, ScramSecret secret, String failureReason,
            String serverNonce) {
        this.user = Objects.requireNonNull(user, "user");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.failureReason = failureReason;
        if (!Scram.isPrintableNonce(serverNonce)) {
            throw new IllegalArgumentException("a SCRAM nonce must be printable ASCII without"
                    + " ','");
        }
        this.serverNonce = serverNonce;
    }

    /**
     * An exchange that authenticates {@code user} against {@code secret}.
     *
     * @param user the StartupMessage's user
     */
    public static ScramServerExchange forSecret(String user, ScramSecret secret) {
        return new ScramServerExchange(user, secret, null, Scram.nonce());
    }

    /** As {@link #forSecret(String, ScramSecret)} with a fixed server nonce; for test vectors. */
    static ScramServerExchange forSecret(String user, ScramSecret secret, String serverNonce) {
        return new ScramServerExchange(user, secret, null, serverNonce);
    }

    /**
     * An exchange that looks like {@link #forSecret} to the client but always fails at the
     * proof: for a user that does not exist or has no SCRAM secret.
     *
     * @param reason why, for the proxy's log ({@link AuthenticationFailedException#reason()}),
     *     e.g. {@code no such user}
     */
    public static ScramServerExchange failing(String user, String reason) {
        Objects.requireNonNull(reason, "reason");
        byte[] salt = Arrays.copyOf(Scram.hmac(MOCK_SALT_KEY, user), Scram.DEFAULT_SALT_LENGTH);
        ScramSecret mock = new ScramSecret(Scram.DEFAULT_ITERATIONS, salt,
                Scram.randomBytes(Scram.KEY_LENGTH), Scram.randomBytes(Scram.KEY_LENGTH));
        return new ScramServerExchange(user, mock, reason, Scram.nonce());
    }

    /**
     * Reads the client's SASLInitialResponse and answers the server-first-message.
     *
     * @param mechanism the SASLInitialResponse's mechanism; must be {@value #MECHANISM}
     * @param clientFirst its data: {@code gs2-header client-first-message-bare}, UTF-8
     * @return the data of the AuthenticationSASLContinue to send:
     *     {@code r=<client+server nonce>,s=<salt>,i=<iterations>}
     * @throws ProtocolException if the mechanism is not {@value #MECHANISM} or the message is
     *     malformed
     * @throws IllegalStateException if called twice or after a failure
     */
    public byte[] receiveClientFirst(String mechanism, byte[] clientFirst) {
        requireState(State.AWAIT_CLIENT_FIRST, "receiveClientFirst");
        state = State.FAILED;
        if (!MECHANISM.equals(mechanism)) {
            throw ProtocolException.violation("client selected SASL mechanism " + mechanism
                    + ", which was not offered; expected " + MECHANISM);
        }
        if (clientFirst == null) {
            throw ProtocolException.violation("SASLInitialResponse has no data; expected a "
                    + CLIENT_FIRST);
        }
        ScramMessageReader reader = ScramMessageReader.of(CLIENT_FIRST, clientFirst,
                ProtocolException::violation);
        readGs2Header(reader);
        int bareStart = reader.position();
        if (reader.peekAttributeName() == 'm') {
            throw reader.fail("mandatory extension m= is not supported");
        }
        reader.attribute('n', "user name");
        reader.expect(',', "',' after the user name");
        String clientNonce = reader.attribute('r', "client nonce");
        if (!Scram.isPrintableNonce(clientNonce)) {
            throw reader.fail("client nonce must be non-empty printable ASCII without ','");
        }
        while (!reader.atEnd()) {
            reader.expect(',', "',' before an extension");
            reader.skipExtension();
        }
        gs2Header = reader.text().substring(0, bareStart);
        clientFirstBare = reader.text().substring(bareStart);
        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + Scram.base64(secret.salt()) + ",i="
                + secret.iterations();
        state = State.AWAIT_CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    private static void readGs2Header(ScramMessageReader reader) {
        switch (reader.peek()) {
            case 'n', 'y' -> reader.expect(reader.peek(), "gs2 flag");
            case 'p' -> throw reader.fail("the client asks for channel binding (p=), but chose "
                    + MECHANISM + ", which has none, and " + MECHANISM + "-PLUS is not offered;"
                    + " expected gs2 flag n or y");
            default -> throw reader.fail("expected gs2 flag n, y or p at offset 0 (got "
                    + (reader.atEnd() ? "an empty message" : "'" + reader.peek() + "'") + ")");
        }
        reader.expect(',', "',' after the gs2 flag");
        if (reader.peek() == 'a') {
            throw new ProtocolException(SqlState.FEATURE_NOT_SUPPORTED, CLIENT_FIRST
                    + ": an authorization identity (a=) is not supported");
        }
        reader.expect(',', "',' ending the gs2 header (no authorization identity)");
    }

    /**
     * Reads the client's SASLResponse, checks its proof, recovers its ClientKey and answers the
     * server-final-message.
     *
     * @param clientFinal the SASLResponse's data: {@code c=<gs2 header>,r=<nonce>,p=<proof>}
     * @return the data of the AuthenticationSASLFinal to send: {@code v=<server signature>}
     * @throws ProtocolException if the message is malformed, its channel binding does not
     *     repeat the gs2 header, or its nonce is not this exchange's
     * @throws AuthenticationFailedException if the proof is wrong, or for {@link #failing}
     * @throws IllegalStateException if not called right after {@link #receiveClientFirst}
     */
    public byte[] receiveClientFinal(byte[] clientFinal) {
        requireState(State.AWAIT_CLIENT_FINAL, "receiveClientFinal");
        state = State.FAILED;
        Objects.requireNonNull(clientFinal, "clientFinal");
        ScramMessageReader reader = ScramMessageReader.of(CLIENT_FINAL, clientFinal,
                ProtocolException::violation);
        byte[] channelBinding = reader.base64Attribute('c', "channel binding");
        if (!Arrays.equals(channelBinding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw reader.fail("channel binding (c=) does not repeat the gs2 header of the"
                    + " client-first-message");
        }
        reader.expect(',', "',' after the channel binding");
        String finalNonce = reader.attribute('r', "nonce");
        if (!finalNonce.equals(nonce)) {
            throw reader.fail("nonce (r=) is not this exchange's: it must be the client nonce"
                    + " of the client-first-message followed by the server nonce");
        }
        int proofStart;
        while (true) {
            proofStart = reader.position();
            reader.expect(',', "',' before the proof");
            if (reader.peekAttributeName() == 'p') {
                break;
            }
            reader.skipExtension();
        }
        byte[] proof = reader.base64Attribute('p', "client proof");
        reader.end();
        if (proof.length != Scram.KEY_LENGTH) {
            throw reader.fail("client proof (p=) is " + proof.length + " bytes; expected "
                    + Scram.KEY_LENGTH);
        }
        String authMessage = clientFirstBare + "," + serverFirst + ","
                + reader.text().substring(0, proofStart);
        byte[] recovered = Scram.xor(proof, Scram.hmac(secret.storedKey(), authMessage));
        // Check the proof even for a failing exchange, so that both take the same time.
        boolean matches = secret.matchesClientKey(recovered);
        if (failureReason != null) {
            throw new AuthenticationFailedException(user, failureReason);
        }
        if (!matches) {
            throw new AuthenticationFailedException(user, "SCRAM proof does not match the"
                    + " user's SCRAM secret");
        }
        clientKey = recovered;
        state = State.SUCCEEDED;
        return ("v=" + Scram.base64(Scram.hmac(secret.serverKey(), authMessage)))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the client's proof was checked and found right. */
    public boolean isSucceeded() {
        return state == State.SUCCEEDED;
    }

    /**
     * The secret and the ClientKey recovered from the client's proof, with which {@link
     * ScramClientExchange#withKeys} logs in to servers that hold the same secret. The ClientKey
     * is password-equivalent: never log it.
     *
     * @throws IllegalStateException unless {@link #receiveClientFinal} succeeded
     */
    public ScramKeys recoveredKeys() {
        if (state != State.SUCCEEDED) {
            throw new IllegalStateException("SCRAM exchange for user \"" + user + "\" has not"
                    + " succeeded (state " + state + "); no ClientKey was recovered");
        }
        return new ScramKeys(secret, clientKey);
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " called in state " + state + " of the SCRAM"
                    + " exchange for user \"" + user + "\" (expected " + expected + ")");
        }
    }

    /** The user and the state; no nonce, salt or key. */
    @Override
    public String toString() {
        return "ScramServerExchange[user=" + user + ", state=" + state + "]";
    }
}
