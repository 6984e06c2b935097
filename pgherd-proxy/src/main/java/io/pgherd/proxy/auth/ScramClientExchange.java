package io.pgherd.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The proxy's side, as SCRAM client, of a SCRAM-SHA-256 login to a PostgreSQL server (RFC 5802,
 * RFC 7677), without channel binding (gs2 flag {@code n}).
 *
 * <p>Two kinds of credentials: {@link #withKeys} logs in with a ClientKey recovered from a
 * client's proof and the user's secret, without the password, which works whenever the server
 * holds the same SCRAM secret as the proxy (always with {@code auth_query}; for an auth file,
 * copy the secrets from {@code pg_authid.rolpassword}); {@link #withPassword} derives the keys
 * from a password with the server's salt and iteration count.
 *
 * <p>The caller checks that the server's AuthenticationSASL lists {@link #MECHANISM}, then:
 * <ol>
 *   <li>sends SASLInitialResponse({@value #MECHANISM}, {@link #clientFirst()});
 *   <li>on AuthenticationSASLContinue sends SASLResponse({@link #clientFinal});
 *   <li>on AuthenticationSASLFinal calls {@link #verifyServerFinal}, then expects
 *       AuthenticationOk. An ErrorResponse instead (SQLSTATE 28P01) means the server refused
 *       the proof: it holds a different secret.
 * </ol>
 *
 * <p>Anything wrong on the server's side raises {@link ServerAuthenticationException} and ends
 * the exchange (later calls throw {@link IllegalStateException}): a malformed message, a nonce
 * that does not extend the proxy's, a salt or iteration count that differs from the secret's
 * (with keys), or a server signature that does not verify, which means the server does not hold
 * the user's secret and must not be trusted. Signatures are compared in constant time.
 *
 * <p>Not thread-safe: one instance per login, on the server channel's event loop. Its {@link
 * #toString()} shows the state only.
 */
public final class ScramClientExchange {

    /** The mechanism this exchange speaks. */
    public static final String MECHANISM = Scram.MECHANISM;

    private static final String GS2_HEADER = "n,,";
    private static final String SERVER_FIRST = "SCRAM server-first-message";
    private static final String SERVER_FINAL = "SCRAM server-final-message";

    private enum State {
        START,
        AWAIT_SERVER_FIRST,
        AWAIT_SERVER_FINAL,
        SUCCEEDED,
        FAILED
    }

    /** Exactly one of password and keys is set. */
    private final String password;
    private final ScramKeys keys;
    private final String clientFirstBare;
    private final String clientNonce;

    private State state = State.START;
    private byte[] expectedServerSignature;

    private ScramClientExchange(String user, String password, ScramKeys keys, String nonce) {
        this.password = password;
        this.keys = keys;
        if (!Scram.isPrintableNonce(nonce)) {
            throw new IllegalArgumentException("a SCRAM nonce must be printable ASCII without"
                    + " ','");
        }
        this.clientNonce = nonce;
        this.clientFirstBare = "n=" + saslName(user) + ",r=" + nonce;
    }

    /**
     * Logs in with a ClientKey recovered from a client's proof: no password, no key derivation.
     */
    public static ScramClientExchange withKeys(ScramKeys keys) {
        return new ScramClientExchange("", null, Objects.requireNonNull(keys, "keys"),
                Scram.nonce());
    }

    /**
     * Logs in with a password, SASLprep-ed as PostgreSQL does; costs one PBKDF2 run with the
     * server's iteration count, so call it off the event loop when the count is high.
     */
    public static ScramClientExchange withPassword(String password) {
        return new ScramClientExchange("", Objects.requireNonNull(password, "password"), null,
                Scram.nonce());
    }

    /** With a user name in {@code n=} (PostgreSQL ignores it) and a fixed nonce; for tests. */
    static ScramClientExchange withPassword(String user, String password, String nonce) {
        return new ScramClientExchange(user, Objects.requireNonNull(password, "password"), null,
                nonce);
    }

    /** With keys, a user name in {@code n=} and a fixed nonce; for tests. */
    static ScramClientExchange withKeys(String user, ScramKeys keys, String nonce) {
        return new ScramClientExchange(user, null, Objects.requireNonNull(keys, "keys"), nonce);
    }

    /**
     * The client-first-message, {@code n,,n=,r=<nonce>}, as PostgreSQL's libpq sends it.
     *
     * @return the data of the SASLInitialResponse, UTF-8
     * @throws IllegalStateException if called twice
     */
    public byte[] clientFirst() {
        requireState(State.START, "clientFirst");
        state = State.AWAIT_SERVER_FIRST;
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the server-first-message and computes the client-final-message with the proof.
     *
     * @param serverFirst the AuthenticationSASLContinue's data
     * @return the data of the SASLResponse: {@code c=biws,r=<nonce>,p=<proof>}
     * @throws ServerAuthenticationException if the message is malformed, its nonce does not
     *     start with the client nonce, or (with keys) its salt or iteration count are not the
     *     secret's
     * @throws IllegalStateException unless called right after {@link #clientFirst()}
     */
    public byte[] clientFinal(byte[] serverFirst) {
        requireState(State.AWAIT_SERVER_FIRST, "clientFinal");
        state = State.FAILED;
        Objects.requireNonNull(serverFirst, "serverFirst");
        ScramMessageReader reader = ScramMessageReader.of(SERVER_FIRST, serverFirst,
                ServerAuthenticationException::new);
        if (reader.peekAttributeName() == 'm') {
            throw reader.fail("mandatory extension m= is not supported");
        }
        String nonce = reader.attribute('r', "nonce");
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()
                || !Scram.isPrintableNonce(nonce)) {
            throw reader.fail("nonce (r=) must be the client nonce followed by a non-empty"
                    + " printable server nonce");
        }
        reader.expect(',', "',' after the nonce");
        byte[] salt = reader.base64Attribute('s', "salt");
        if (salt.length == 0) {
            throw reader.fail("salt (s=) is empty");
        }
        reader.expect(',', "',' after the salt");
        int iterations = parseIterations(reader, reader.attribute('i', "iteration count"));
        while (!reader.atEnd()) {
            reader.expect(',', "',' before an extension");
            reader.skipExtension();
        }

        byte[] clientKey;
        byte[] serverKey;
        if (keys != null) {
            if (!keys.secret().hasParameters(salt, iterations)) {
                String differs = keys.secret().iterations() != iterations
                        ? "iteration count " + iterations + " (the proxy's: "
                                + keys.secret().iterations() + ")"
                        : "another salt";
                throw new ServerAuthenticationException("the server's SCRAM secret for the user"
                        + " differs from the proxy's: it has " + differs + "; the proxy's secret"
                        + " must be the server's pg_authid.rolpassword");
            }
            clientKey = keys.clientKey();
            serverKey = keys.secret().serverKey();
        } else {
            byte[] salted = Scram.saltedPassword(password, salt, iterations);
            clientKey = Scram.clientKey(salted);
            serverKey = Scram.serverKey(salted);
        }
        String withoutProof = "c=" + Scram.base64(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + reader.text() + "," + withoutProof;
        byte[] proof = Scram.xor(clientKey,
                Scram.hmac(Scram.storedKey(clientKey), authMessage));
        expectedServerSignature = Scram.hmac(serverKey, authMessage);
        state = State.AWAIT_SERVER_FINAL;
        return (withoutProof + ",p=" + Scram.base64(proof)).getBytes(StandardCharsets.UTF_8);
    }

    private static int parseIterations(ScramMessageReader reader, String digits) {
        if (digits.isEmpty() || digits.length() > 10
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Long.parseLong(digits) < 1 || Long.parseLong(digits) > Integer.MAX_VALUE) {
            throw reader.fail("iteration count (i=) must be an integer between 1 and "
                    + Integer.MAX_VALUE);
        }
        return Integer.parseInt(digits);
    }

    /**
     * Checks the server's signature in the server-final-message: only a server that holds the
     * user's secret can compute it.
     *
     * @param serverFinal the AuthenticationSASLFinal's data, {@code v=<signature>}
     * @throws ServerAuthenticationException if the message is malformed, carries a server error
     *     ({@code e=}), or its signature is wrong
     * @throws IllegalStateException unless called right after {@link #clientFinal}
     */
    public void verifyServerFinal(byte[] serverFinal) {
        requireState(State.AWAIT_SERVER_FINAL, "verifyServerFinal");
        state = State.FAILED;
        Objects.requireNonNull(serverFinal, "serverFinal");
        ScramMessageReader reader = ScramMessageReader.of(SERVER_FINAL, serverFinal,
                ServerAuthenticationException::new);
        if (reader.peekAttributeName() == 'e') {
            throw reader.fail("the server refused the login: " + reader.attribute('e', "error"));
        }
        byte[] signature = reader.base64Attribute('v', "server signature");
        while (!reader.atEnd()) {
            reader.expect(',', "',' before an extension");
            reader.skipExtension();
        }
        if (!Scram.constantTimeEquals(signature, expectedServerSignature)) {
            throw reader.fail("the server signature (v=) does not verify: the server does not"
                    + " hold the user's SCRAM secret, so it is not the server it claims to be");
        }
        state = State.SUCCEEDED;
    }

    /** Whether the server's signature was verified. */
    public boolean isSucceeded() {
        return state == State.SUCCEEDED;
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " called in state " + state
                    + " of the SCRAM client exchange (expected " + expected + ")");
        }
    }

    /** RFC 5802 saslname: {@code =} as {@code =3D}, {@code ,} as {@code =2C}. */
    private static String saslName(String user) {
        return user.replace("=", "=3D").replace(",", "=2C");
    }

    /** The state only. */
    @Override
    public String toString() {
        return "ScramClientExchange[" + (keys != null ? "keys" : "password") + ", state=" + state
                + "]";
    }
}
