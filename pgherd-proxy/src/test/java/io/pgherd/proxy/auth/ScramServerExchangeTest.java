package io.pgherd.proxy.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgherd.protocol.ErrorFields;
import io.pgherd.protocol.ProtocolException;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy as SCRAM server: checking proofs, recovering ClientKey, refusing bad messages. */
class ScramServerExchangeTest {

    static final String MECHANISM = "SCRAM-SHA-256";
    static final byte[] SALT = Base64.getDecoder().decode("c2FsdHNhbHRzYWx0c2FsdA==");
    static final ScramSecret SECRET = ScramSecret.fromPassword("correct horse", SALT, 4096);

    /** Runs a password client against the exchange; returns the server-final data. */
    static byte[] login(ScramServerExchange server, ScramClientExchange client) {
        byte[] serverFirst = server.receiveClientFirst(MECHANISM, client.clientFirst());
        byte[] serverFinal = server.receiveClientFinal(client.clientFinal(serverFirst));
        client.verifyServerFinal(serverFinal);
        return serverFinal;
    }

    @Test
    void clientWithTheRightPasswordSucceedsAndItsClientKeyIsRecovered() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("correct horse");

        login(server, client);

        assertThat(server.isSucceeded()).isTrue();
        assertThat(client.isSucceeded()).isTrue();
        assertThat(server.recoveredKeys().clientKey()).isEqualTo(
                Scram.clientKey(Scram.saltedPassword("correct horse", SALT, 4096)));
        assertThat(server.recoveredKeys().secret()).isEqualTo(SECRET);
    }

    @Test
    void clientWithAWrongPasswordFailsWithInvalidPassword() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("wrong horse");
        byte[] serverFirst = server.receiveClientFirst(MECHANISM, client.clientFirst());
        byte[] clientFinal = client.clientFinal(serverFirst);

        assertThatThrownBy(() -> server.receiveClientFinal(clientFinal))
                .isInstanceOfSatisfying(AuthenticationFailedException.class, e -> {
                    assertThat(e).hasMessage("password authentication failed for user \"alice\"");
                    assertThat(e.reason()).isEqualTo("SCRAM proof does not match the user's"
                            + " SCRAM secret");
                    assertThat(e.toErrorResponse().field(ErrorFields.CODE)).hasValue("28P01");
                });
        assertThat(server.isSucceeded()).isFalse();
        assertThatThrownBy(server::recoveredKeys).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not succeeded");
    }

    @Test
    void exchangeForAMissingUserLooksRealButFailsAtTheProof() {
        ScramServerExchange server = ScramServerExchange.failing("mallory", "no such user");
        ScramClientExchange client = ScramClientExchange.withPassword("anything");

        byte[] serverFirst = server.receiveClientFirst(MECHANISM, client.clientFirst());
        assertThat(new String(serverFirst, UTF_8)).matches("r=[^,]+,s=[A-Za-z0-9+/=]{24},i=4096");
        byte[] clientFinal = client.clientFinal(serverFirst);

        assertThatThrownBy(() -> server.receiveClientFinal(clientFinal))
                .isInstanceOfSatisfying(AuthenticationFailedException.class, e -> {
                    assertThat(e).hasMessage("password authentication failed for user \"mallory\"");
                    assertThat(e.reason()).isEqualTo("no such user");
                });
    }

    @Test
    void missingUserGetsTheSameSaltOnEveryAttempt() {
        assertThat(saltOf(ScramServerExchange.failing("mallory", "no such user")))
                .isEqualTo(saltOf(ScramServerExchange.failing("mallory", "no such user")))
                .isNotEqualTo(saltOf(ScramServerExchange.failing("trudy", "no such user")));
    }

    private static String saltOf(ScramServerExchange server) {
        String serverFirst = new String(server.receiveClientFirst(MECHANISM,
                "n,,n=,r=abc".getBytes(UTF_8)), UTF_8);
        return serverFirst.replaceAll(".*,s=([^,]+),.*", "$1");
    }

    @Test
    void userNameInTheClientFirstMessageIsIgnored() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("bob,=x", "correct horse",
                "clientnonce");

        login(server, client);

        assertThat(server.isSucceeded()).isTrue();
    }

    @Test
    void clientThatSupportsChannelBindingButSawNoPlusMechanismIsAccepted() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET, "srv");
        server.receiveClientFirst(MECHANISM, "y,,n=,r=cli".getBytes(UTF_8));
        String withoutProof = "c=eSws,r=clisrv";
        String authMessage = "n=,r=cli,r=clisrv,s=" + Base64.getEncoder().encodeToString(SALT)
                + ",i=4096," + withoutProof;
        byte[] clientKey = Scram.clientKey(Scram.saltedPassword("correct horse", SALT, 4096));
        byte[] proof = Scram.xor(clientKey, Scram.hmac(Scram.storedKey(clientKey), authMessage));

        server.receiveClientFinal((withoutProof + ",p=" + Base64.getEncoder()
                .encodeToString(proof)).getBytes(UTF_8));

        assertThat(server.recoveredKeys().clientKey()).isEqualTo(clientKey);
    }

    @Test
    void clientFinalMessageOfAnotherExchangeIsRefusedForItsNonce() {
        ScramServerExchange first = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("correct horse");
        byte[] clientFirst = client.clientFirst();
        byte[] replayed = client.clientFinal(first.receiveClientFirst(MECHANISM, clientFirst));
        first.receiveClientFinal(replayed);

        ScramServerExchange second = ScramServerExchange.forSecret("alice", SECRET);
        second.receiveClientFirst(MECHANISM, clientFirst);

        assertThatThrownBy(() -> second.receiveClientFinal(replayed))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("SCRAM client-final-message: nonce (r=) is not this exchange's: it"
                        + " must be the client nonce of the client-first-message followed by"
                        + " the server nonce");
    }

    @Test
    void callsOutOfOrderAndAfterAFailureAreRefused() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        assertThatThrownBy(() -> server.receiveClientFinal("c=biws".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessage("receiveClientFinal called"
                        + " in state AWAIT_CLIENT_FIRST of the SCRAM exchange for user \"alice\""
                        + " (expected AWAIT_CLIENT_FINAL)");

        assertThatThrownBy(() -> server.receiveClientFirst(MECHANISM, "x".getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> server.receiveClientFirst(MECHANISM, "n,,n=,r=a".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("state FAILED");
    }

    @Test
    void mechanismThatWasNotOfferedIsAProtocolViolation() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        assertThatThrownBy(() -> server.receiveClientFirst("SCRAM-SHA-256-PLUS",
                "p=tls-server-end-point,,n=,r=abc".getBytes(UTF_8)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("08P01");
                    assertThat(e).hasMessage("client selected SASL mechanism SCRAM-SHA-256-PLUS,"
                            + " which was not offered; expected SCRAM-SHA-256");
                });
    }

    @Test
    void initialResponseWithoutDataIsAProtocolViolation() {
        assertThatThrownBy(() -> ScramServerExchange.forSecret("alice", SECRET)
                .receiveClientFirst(MECHANISM, null))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("SASLInitialResponse has no data; expected a SCRAM client-first-message");
    }

    @Test
    void authorizationIdentityIsNotSupported() {
        assertThatThrownBy(() -> ScramServerExchange.forSecret("alice", SECRET)
                .receiveClientFirst(MECHANISM, "n,a=bob,n=,r=abc".getBytes(UTF_8)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("0A000");
                    assertThat(e).hasMessage("SCRAM client-first-message: an authorization"
                            + " identity (a=) is not supported");
                });
    }

    static Stream<Arguments> malformedClientFirstMessages() {
        return Stream.of(
                Arguments.of("empty", "", "expected gs2 flag n, y or p at offset 0 (got an"
                        + " empty message)"),
                Arguments.of("unknown gs2 flag", "x,,n=,r=abc", "expected gs2 flag n, y or p at"
                        + " offset 0 (got 'x')"),
                Arguments.of("channel binding requested", "p=tls-server-end-point,,n=,r=abc",
                        "the client asks for channel binding (p=), but chose SCRAM-SHA-256,"
                        + " which has none, and SCRAM-SHA-256-PLUS is not offered; expected gs2"
                        + " flag n or y"),
                Arguments.of("no comma after gs2 flag", "n n=,r=abc", "expected ',' after the gs2"
                        + " flag at offset 1 (got ' ')"),
                Arguments.of("gs2 header not ended", "n,n=,r=abc", "expected ',' ending the gs2"
                        + " header (no authorization identity) at offset 2 (got 'n')"),
                Arguments.of("mandatory extension", "n,,m=ext,n=,r=abc", "mandatory extension"
                        + " m= is not supported"),
                Arguments.of("no user name", "n,,r=abc", "expected user name (n=...) at offset 3"
                        + " (got attribute r=)"),
                Arguments.of("no nonce", "n,,n=", "expected ',' after the user name at offset 5"
                        + " (got end of message)"),
                Arguments.of("empty nonce", "n,,n=,r=", "client nonce must be non-empty"
                        + " printable ASCII without ','"),
                Arguments.of("nonce with a control character", "n,,n=,r=ab\tc", "client nonce"
                        + " must be non-empty printable ASCII without ','"),
                Arguments.of("trailing comma", "n,,n=,r=abc,", "expected an attribute at offset"
                        + " 12 (got end of message)"),
                Arguments.of("junk after nonce", "n,,n=,r=abc,???", "expected an attribute at"
                        + " offset 12 (got '?')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedClientFirstMessages")
    void malformedClientFirstMessageIsAProtocolViolationThatSaysWhy(String name, String message,
            String problem) {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        assertThatThrownBy(() -> server.receiveClientFirst(MECHANISM, message.getBytes(UTF_8)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.sqlState()).isEqualTo("08P01"))
                .hasMessage("SCRAM client-first-message: " + problem);
    }

    @Test
    void clientFirstMessageThatIsNotUtf8IsAProtocolViolation() {
        assertThatThrownBy(() -> ScramServerExchange.forSecret("alice", SECRET)
                .receiveClientFirst(MECHANISM, new byte[] {'n', ',', ',', (byte) 0xFF}))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("SCRAM client-first-message is not valid UTF-8");
    }

    static final String PROOF = "p=" + Base64.getEncoder().encodeToString(new byte[32]);

    static Stream<Arguments> malformedClientFinalMessages() {
        return Stream.of(
                Arguments.of("empty", "", "expected channel binding (c=...) at offset 0 (got end"
                        + " of message)"),
                Arguments.of("nonce first", "r=clisrv,c=biws," + PROOF, "expected channel binding"
                        + " (c=...) at offset 0 (got attribute r=)"),
                Arguments.of("channel binding not base64", "c=b!ws,r=clisrv," + PROOF, "channel"
                        + " binding (c=) is not valid base64"),
                Arguments.of("channel binding of flag y after flag n", "c=eSws,r=clisrv," + PROOF,
                        "channel binding (c=) does not repeat the gs2 header of the"
                        + " client-first-message"),
                Arguments.of("channel binding data", "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAAAA,"
                        + "r=clisrv," + PROOF, "channel binding (c=) does not repeat the gs2"
                        + " header of the client-first-message"),
                Arguments.of("client nonce only", "c=biws,r=cli," + PROOF, "nonce (r=) is not"
                        + " this exchange's: it must be the client nonce of the"
                        + " client-first-message followed by the server nonce"),
                Arguments.of("no proof", "c=biws,r=clisrv", "expected ',' before the proof at"
                        + " offset 15 (got end of message)"),
                Arguments.of("proof not base64", "c=biws,r=clisrv,p=***", "client proof (p=) is"
                        + " not valid base64"),
                Arguments.of("short proof", "c=biws,r=clisrv,p=AAAA", "client proof (p=) is 3"
                        + " bytes; expected 32"),
                Arguments.of("data after the proof", "c=biws,r=clisrv," + PROOF + ",x=1",
                        "unexpected data after the last attribute, at offset 62 (4 characters)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedClientFinalMessages")
    void malformedClientFinalMessageIsAProtocolViolationThatSaysWhy(String name, String message,
            String problem) {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET, "srv");
        server.receiveClientFirst(MECHANISM, "n,,n=,r=cli".getBytes(UTF_8));
        assertThatThrownBy(() -> server.receiveClientFinal(message.getBytes(UTF_8)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.sqlState()).isEqualTo("08P01"))
                .hasMessage("SCRAM client-final-message: " + problem);
        assertThat(server.isSucceeded()).isFalse();
    }

    @Test
    void tamperedProofFailsAuthentication() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        ScramClientExchange client = ScramClientExchange.withPassword("correct horse");
        String clientFinal = new String(client.clientFinal(
                server.receiveClientFirst(MECHANISM, client.clientFirst())), UTF_8);
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(
                clientFinal.indexOf(",p=") + 3));
        proof[0] ^= 1;
        String tampered = clientFinal.substring(0, clientFinal.indexOf(",p=") + 3)
                + Base64.getEncoder().encodeToString(proof);

        assertThatThrownBy(() -> server.receiveClientFinal(tampered.getBytes(UTF_8)))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void extensionsBeforeTheProofAreSignedAndAccepted() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET, "srv");
        server.receiveClientFirst(MECHANISM, "n,,n=,r=cli,x=ext".getBytes(UTF_8));
        String withoutProof = "c=biws,r=clisrv,y=ext";
        String authMessage = "n=,r=cli,x=ext,r=clisrv,s=" + Base64.getEncoder()
                .encodeToString(SALT) + ",i=4096," + withoutProof;
        byte[] clientKey = Scram.clientKey(Scram.saltedPassword("correct horse", SALT, 4096));
        byte[] proof = Scram.xor(clientKey, Scram.hmac(Scram.storedKey(clientKey), authMessage));

        byte[] serverFinal = server.receiveClientFinal((withoutProof + ",p="
                + Base64.getEncoder().encodeToString(proof)).getBytes(UTF_8));

        assertThat(new String(serverFinal, UTF_8)).isEqualTo("v=" + Base64.getEncoder()
                .encodeToString(Scram.hmac(SECRET.serverKey(), authMessage)));
    }

    @Test
    void toStringShowsNoSecretMaterial() {
        ScramServerExchange server = ScramServerExchange.forSecret("alice", SECRET);
        login(server, ScramClientExchange.withPassword("correct horse"));

        assertThat(server).hasToString("ScramServerExchange[user=alice, state=SUCCEEDED]");
        assertThat(server.recoveredKeys().toString())
                .isEqualTo("ScramKeys[ScramSecret[iterations=4096, salt=16 bytes, keys=<hidden>],"
                        + " clientKey=<hidden>]");
    }
}
