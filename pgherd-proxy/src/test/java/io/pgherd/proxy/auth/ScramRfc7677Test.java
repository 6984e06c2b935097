package io.pgherd.proxy.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The SCRAM-SHA-256 exchange of RFC 7677 §3 (user "user", password "pencil"), reproduced byte for
 * byte by the proxy as client and as server.
 */
class ScramRfc7677Test {

    static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    static ScramSecret pencilSecret() {
        return ScramSecret.fromPassword("pencil", SALT, 4096);
    }

    @Test
    void clientWithPasswordSendsTheRfcMessages() {
        ScramClientExchange client = ScramClientExchange.withPassword("user", "pencil",
                CLIENT_NONCE);

        assertThat(new String(client.clientFirst(), UTF_8)).isEqualTo(CLIENT_FIRST);
        assertThat(new String(client.clientFinal(SERVER_FIRST.getBytes(UTF_8)), UTF_8))
                .isEqualTo(CLIENT_FINAL);
        client.verifyServerFinal(SERVER_FINAL.getBytes(UTF_8));
        assertThat(client.isSucceeded()).isTrue();
    }

    @Test
    void serverAnswersTheRfcMessagesAndRecoversTheClientKey() {
        ScramServerExchange server = ScramServerExchange.forSecret("user", pencilSecret(),
                SERVER_NONCE);

        assertThat(new String(server.receiveClientFirst("SCRAM-SHA-256",
                CLIENT_FIRST.getBytes(UTF_8)), UTF_8)).isEqualTo(SERVER_FIRST);
        assertThat(new String(server.receiveClientFinal(CLIENT_FINAL.getBytes(UTF_8)), UTF_8))
                .isEqualTo(SERVER_FINAL);
        assertThat(server.isSucceeded()).isTrue();
        assertThat(server.recoveredKeys().clientKey())
                .isEqualTo(Scram.clientKey(Scram.saltedPassword("pencil", SALT, 4096)));
    }

    @Test
    void clientWithRecoveredKeysSendsTheSameProofAsWithThePassword() {
        ScramServerExchange server = ScramServerExchange.forSecret("user", pencilSecret(),
                SERVER_NONCE);
        server.receiveClientFirst("SCRAM-SHA-256", CLIENT_FIRST.getBytes(UTF_8));
        server.receiveClientFinal(CLIENT_FINAL.getBytes(UTF_8));

        ScramClientExchange client = ScramClientExchange.withKeys("user",
                server.recoveredKeys(), CLIENT_NONCE);
        client.clientFirst();
        assertThat(new String(client.clientFinal(SERVER_FIRST.getBytes(UTF_8)), UTF_8))
                .isEqualTo(CLIENT_FINAL);
        client.verifyServerFinal(SERVER_FINAL.getBytes(UTF_8));
        assertThat(client.isSucceeded()).isTrue();
    }

    @Test
    void secretOfTheRfcPasswordHasPostgresTextForm() {
        assertThat(pencilSecret().toPostgresText()).isEqualTo("SCRAM-SHA-256$4096:"
                + "W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
                + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    }
}
