package io.pgherd.proxy.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy as SCRAM client towards a server: proofs from keys or password, checking the server. */
class ScramClientExchangeTest {

    static final String MECHANISM = "SCRAM-SHA-256";
    static final byte[] SALT = Base64.getDecoder().decode("c2FsdHNhbHRzYWx0c2FsdA==");
    static final ScramSecret SECRET = ScramSecret.fromPassword("correct horse", SALT, 4096);

    /** Keys as the proxy holds them after a client logged in. */
    static ScramKeys recoveredKeys() {
        ScramServerExchange proxy = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("correct horse");
        ScramServerExchangeTest.login(proxy, client);
        return proxy.recoveredKeys();
    }

    @Test
    void recoveredKeysLogInToAServerThatHoldsTheSameSecretWithAnyNonce() {
        ScramKeys keys = recoveredKeys();
        for (int i = 0; i < 3; i++) {
            ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
            ScramClientExchange proxy = ScramClientExchange.withKeys(keys);

            ScramServerExchangeTest.login(server, proxy);

            assertThat(proxy.isSucceeded()).isTrue();
            assertThat(server.recoveredKeys()).isEqualTo(keys);
        }
    }

    @Test
    void clientFirstMessageIsLibpqs() {
        assertThat(new String(ScramClientExchange.withKeys(recoveredKeys()).clientFirst(), UTF_8))
                .matches("n,,n=,r=[A-Za-z0-9+/]{24}");
    }

    @Test
    void serverWithAnotherSecretIsRefusedBeforeAProofIsSent() {
        ScramSecret other = ScramSecret.fromPassword("correct horse");
        ScramServerExchange server = ScramServerExchange.forSecret("alice", other);
        ScramClientExchange proxy = ScramClientExchange.withKeys(recoveredKeys());
        byte[] serverFirst = server.receiveClientFirst(MECHANISM, proxy.clientFirst());

        assertThatThrownBy(() -> proxy.clientFinal(serverFirst))
                .isInstanceOf(ServerAuthenticationException.class)
                .hasMessage("the server's SCRAM secret for the user differs from the proxy's:"
                        + " it has another salt; the proxy's secret must be the server's"
                        + " pg_authid.rolpassword");
    }

    @Test
    void serverWithAnotherIterationCountIsRefusedBeforeAProofIsSent() {
        ScramClientExchange proxy = ScramClientExchange.withKeys(recoveredKeys());
        String clientNonce = new String(proxy.clientFirst(), UTF_8).substring("n,,n=,r=".length());
        byte[] serverFirst = ("r=" + clientNonce + "srv,s=" + Base64.getEncoder()
                .encodeToString(SALT) + ",i=8192").getBytes(UTF_8);

        assertThatThrownBy(() -> proxy.clientFinal(serverFirst))
                .isInstanceOf(ServerAuthenticationException.class)
                .hasMessage("the server's SCRAM secret for the user differs from the proxy's:"
                        + " it has iteration count 8192 (the proxy's: 4096); the proxy's secret"
                        + " must be the server's pg_authid.rolpassword");
    }

    @Test
    void serverThatDoesNotHoldTheSecretFailsSignatureVerification() {
        ScramClientExchange proxy = ScramClientExchange.withPassword("user", "pencil", "cli");
        proxy.clientFirst();
        proxy.clientFinal("r=clisrv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".getBytes(UTF_8));
        byte[] forged = ("v=" + Base64.getEncoder().encodeToString(new byte[32])).getBytes(UTF_8);

        assertThatThrownBy(() -> proxy.verifyServerFinal(forged))
                .isInstanceOf(ServerAuthenticationException.class)
                .hasMessage("SCRAM server-final-message: the server signature (v=) does not"
                        + " verify: the server does not hold the user's SCRAM secret, so it is"
                        + " not the server it claims to be");
        assertThat(proxy.isSucceeded()).isFalse();
    }

    @Test
    void serverErrorInTheFinalMessageIsReported() {
        ScramClientExchange proxy = ScramClientExchange.withPassword("", "pencil", "cli");
        proxy.clientFirst();
        proxy.clientFinal("r=clisrv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".getBytes(UTF_8));

        assertThatThrownBy(() -> proxy.verifyServerFinal("e=invalid-proof".getBytes(UTF_8)))
                .isInstanceOf(ServerAuthenticationException.class)
                .hasMessage("SCRAM server-final-message: the server refused the login:"
                        + " invalid-proof");
    }

    static Stream<Arguments> malformedServerFirstMessages() {
        return Stream.of(
                Arguments.of("empty", "", "expected nonce (r=...) at offset 0 (got end of"
                        + " message)"),
                Arguments.of("mandatory extension", "m=x,r=clisrv,s=c2FsdA==,i=4096",
                        "mandatory extension m= is not supported"),
                Arguments.of("nonce of another client", "r=xyzsrv,s=c2FsdA==,i=4096",
                        "nonce (r=) must be the client nonce followed by a non-empty printable"
                        + " server nonce"),
                Arguments.of("no server nonce", "r=cli,s=c2FsdA==,i=4096", "nonce (r=) must be"
                        + " the client nonce followed by a non-empty printable server nonce"),
                Arguments.of("salt missing", "r=clisrv,i=4096", "expected salt (s=...) at offset"
                        + " 9 (got attribute i=)"),
                Arguments.of("salt not base64", "r=clisrv,s=#,i=4096", "salt (s=) is not valid"
                        + " base64"),
                Arguments.of("empty salt", "r=clisrv,s=,i=4096", "salt (s=) is empty"),
                Arguments.of("zero iterations", "r=clisrv,s=c2FsdA==,i=0", "iteration count (i=)"
                        + " must be an integer between 1 and 2147483647"),
                Arguments.of("iterations not a number", "r=clisrv,s=c2FsdA==,i=4k", "iteration"
                        + " count (i=) must be an integer between 1 and 2147483647"),
                Arguments.of("iterations overflow", "r=clisrv,s=c2FsdA==,i=9999999999",
                        "iteration count (i=) must be an integer between 1 and 2147483647"),
                Arguments.of("garbage after", "r=clisrv,s=c2FsdA==,i=1,%%", "expected an"
                        + " attribute at offset 24 (got '%')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedServerFirstMessages")
    void malformedServerFirstMessageIsRefusedWithTheReason(String name, String message,
            String problem) {
        ScramClientExchange proxy = ScramClientExchange.withPassword("", "pencil", "cli");
        proxy.clientFirst();

        assertThatThrownBy(() -> proxy.clientFinal(message.getBytes(UTF_8)))
                .isInstanceOf(ServerAuthenticationException.class)
                .hasMessage("SCRAM server-first-message: " + problem);
        assertThatThrownBy(() -> proxy.verifyServerFinal("v=".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("state FAILED");
    }

    @Test
    void callsOutOfOrderAreRefused() {
        ScramClientExchange proxy = ScramClientExchange.withKeys(recoveredKeys());
        assertThatThrownBy(() -> proxy.clientFinal("r=x".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessage("clientFinal called in"
                        + " state START of the SCRAM client exchange (expected"
                        + " AWAIT_SERVER_FIRST)");
        proxy.clientFirst();
        assertThatThrownBy(proxy::clientFirst).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keysThatDoNotBelongToTheSecretAreRefused() {
        assertThatThrownBy(() -> new ScramKeys(SECRET, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the ClientKey does not belong to the secret: its SHA-256 hash is"
                        + " not the secret's StoredKey");
    }

    @Test
    void toStringShowsNoSecretMaterial() {
        assertThat(ScramClientExchange.withPassword("correct horse"))
                .hasToString("ScramClientExchange[password, state=START]");
        assertThat(ScramClientExchange.withKeys(recoveredKeys()))
                .hasToString("ScramClientExchange[keys, state=START]");
    }
}
