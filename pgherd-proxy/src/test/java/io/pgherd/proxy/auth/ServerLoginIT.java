package io.pgherd.proxy.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgherd.postgres.HbaRule;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.protocol.AuthenticationMD5Password;
import io.pgherd.protocol.AuthenticationOk;
import io.pgherd.protocol.AuthenticationRequest;
import io.pgherd.protocol.AuthenticationSASL;
import io.pgherd.protocol.AuthenticationSASLContinue;
import io.pgherd.protocol.AuthenticationSASLFinal;
import io.pgherd.protocol.BackendMessage;
import io.pgherd.protocol.ErrorFields;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.PasswordMessage;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.SASLInitialResponse;
import io.pgherd.protocol.SASLResponse;
import io.pgherd.protocol.Terminate;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proxy's login to a real PostgreSQL server on a client's behalf: with the ClientKey it
 * recovered from the client's SCRAM proof, and with an md5 secret, never with the password.
 */
@PostgresCluster(standby = false, replicas = 0)
class ServerLoginIT {

    @Test
    void clientKeyRecoveredFromAClientProofLogsInToTheServer(LocalCluster cluster)
            throws Exception {
        ScramSecret secret = createScramRole(cluster, "alice", "s3cret, with \"quotes\"");
        ScramKeys keys = recoverKeys("alice", secret, "s3cret, with \"quotes\"");

        try (WireConnection server = WireConnection.startup(cluster.primary().port(), "alice",
                "postgres")) {
            ScramClientExchange proxy = ScramClientExchange.withKeys(keys);
            sendProof(server, proxy);

            proxy.verifyServerFinal(server.receive(AuthenticationSASLFinal.class).data());
            assertThat(proxy.isSucceeded()).isTrue();
            assertThat(server.receive()).isEqualTo(AuthenticationOk.INSTANCE);
            awaitReadyForQuery(server);
            server.send(Terminate.INSTANCE);
        }
    }

    @Test
    void clientKeyThatDoesNotMatchTheServersSecretIsRefusedWithInvalidPassword(
            LocalCluster cluster) throws Exception {
        ScramSecret secret = createScramRole(cluster, "bob", "right password");
        byte[] wrongClientKey = Scram.clientKey(Scram.saltedPassword("wrong password",
                secret.salt(), secret.iterations()));
        ScramKeys wrong = new ScramKeys(ScramSecret.fromPassword("wrong password", secret.salt(),
                secret.iterations()), wrongClientKey);

        try (WireConnection server = WireConnection.startup(cluster.primary().port(), "bob",
                "postgres")) {
            sendProof(server, ScramClientExchange.withKeys(wrong));

            ErrorResponse error = server.receive(ErrorResponse.class);
            assertThat(error.field(ErrorFields.CODE)).hasValue("28P01");
            assertThat(error.field(ErrorFields.MESSAGE))
                    .hasValue("password authentication failed for user \"bob\"");
        }
    }

    @Test
    void passwordClientVerifiesTheRealServersSignature(LocalCluster cluster) throws Exception {
        createScramRole(cluster, "carol", "pässwörd\u00A0with non-ASCII");

        try (WireConnection server = WireConnection.startup(cluster.primary().port(), "carol",
                "postgres")) {
            ScramClientExchange proxy = ScramClientExchange.withPassword(
                    "pässwörd\u00A0with non-ASCII");
            sendProof(server, proxy);

            proxy.verifyServerFinal(server.receive(AuthenticationSASLFinal.class).data());
            assertThat(server.receive()).isEqualTo(AuthenticationOk.INSTANCE);
        }
    }

    @Test
    void md5SecretAloneLogsInToAServerThatAsksForMd5(LocalCluster cluster) throws Exception {
        Md5Secret secret;
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("set password_encryption = 'md5'");
            s.execute("create role dave login password 'md5 password'");
            secret = (Md5Secret) Secret.parse(rolpassword(s, "dave"));
        }
        assertThat(secret).isEqualTo(Md5Auth.secret("dave", "md5 password"));

        List<HbaRule> rules = new ArrayList<>();
        rules.add(HbaRule.host("all", "dave", "127.0.0.1/32", "md5"));
        rules.addAll(HbaRule.loopback(cluster.credentials().replicationUser()));
        cluster.primary().writeHba(rules);
        try {
            reload(cluster);
            Await.until("md5 challenge for dave", Duration.ofSeconds(10),
                    () -> firstRequest(cluster, "dave") instanceof AuthenticationMD5Password);

            try (WireConnection server = WireConnection.startup(cluster.primary().port(), "dave",
                    "postgres")) {
                byte[] salt = server.receive(AuthenticationMD5Password.class).salt();
                server.send(new PasswordMessage(Md5Auth.passwordMessage(secret, salt)));
                assertThat(server.receive()).isEqualTo(AuthenticationOk.INSTANCE);
                awaitReadyForQuery(server);
            }
            try (WireConnection server = WireConnection.startup(cluster.primary().port(), "dave",
                    "postgres")) {
                byte[] salt = server.receive(AuthenticationMD5Password.class).salt();
                server.send(new PasswordMessage(Md5Auth.passwordMessage(
                        Md5Auth.secret("dave", "wrong"), salt)));
                assertThat(server.receive(ErrorResponse.class).field(ErrorFields.CODE))
                        .hasValue("28P01");
            }
        } finally {
            cluster.primary().writeHba(HbaRule.loopback(cluster.credentials().replicationUser()));
            reload(cluster);
        }
    }

    /** Creates a role with a SCRAM password and returns its secret as the server stores it. */
    private static ScramSecret createScramRole(LocalCluster cluster, String role, String password)
            throws SQLException {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("create role " + role + " login password '" + password.replace("'", "''")
                    + "'");
            return (ScramSecret) Secret.parse(rolpassword(s, role));
        }
    }

    private static String rolpassword(Statement s, String role) throws SQLException {
        try (ResultSet rs = s.executeQuery("select rolpassword from pg_authid where rolname = '"
                + role + "'")) {
            assertThat(rs.next()).as("role %s exists", role).isTrue();
            return rs.getString(1);
        }
    }

    /** What the proxy holds after a client logged in to it with {@code password}. */
    private static ScramKeys recoverKeys(String user, ScramSecret secret, String password) {
        ScramServerExchange proxy = ScramServerExchange.forSecret(user, secret);
        ScramClientExchange client = ScramClientExchange.withPassword(password);
        byte[] serverFinal = proxy.receiveClientFinal(client.clientFinal(
                proxy.receiveClientFirst(ScramServerExchange.MECHANISM, client.clientFirst())));
        client.verifyServerFinal(serverFinal);
        return proxy.recoveredKeys();
    }

    /** Runs the exchange up to and including the SASLResponse with the proof. */
    private static void sendProof(WireConnection server, ScramClientExchange proxy)
            throws Exception {
        assertThat(server.receive(AuthenticationSASL.class).mechanisms())
                .contains(ScramClientExchange.MECHANISM);
        server.send(new SASLInitialResponse(ScramClientExchange.MECHANISM, proxy.clientFirst()));
        byte[] serverFirst = server.receive(AuthenticationSASLContinue.class).data();
        assertThat(new String(serverFirst, UTF_8)).contains(",s=", ",i=");
        server.send(new SASLResponse(proxy.clientFinal(serverFirst)));
    }

    private static void awaitReadyForQuery(WireConnection server) throws Exception {
        BackendMessage message;
        do {
            message = server.receive();
            assertThat(message).isNotInstanceOf(ErrorResponse.class);
        } while (!(message instanceof ReadyForQuery));
    }

    private static AuthenticationRequest firstRequest(LocalCluster cluster, String user)
            throws Exception {
        try (WireConnection server = WireConnection.startup(cluster.primary().port(), user,
                "postgres")) {
            return server.receive(AuthenticationRequest.class);
        }
    }

    private static void reload(LocalCluster cluster) throws SQLException {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("select pg_reload_conf()");
        }
    }
}
