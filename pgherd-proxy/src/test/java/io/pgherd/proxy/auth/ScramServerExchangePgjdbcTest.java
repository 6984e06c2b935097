package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.pgherd.protocol.AuthenticationOk;
import io.pgherd.protocol.AuthenticationSASL;
import io.pgherd.protocol.AuthenticationSASLContinue;
import io.pgherd.protocol.AuthenticationSASLFinal;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.SASLInitialResponse;
import io.pgherd.protocol.SASLResponse;
import io.pgherd.protocol.StartupMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The proxy's SCRAM server against pgjdbc's SCRAM client, an implementation independent of ours:
 * a one-connection test server authenticates pgjdbc with {@link ScramServerExchange}, then ends
 * the session with an error whose text shows pgjdbc accepted the server's signature.
 */
class ScramServerExchangePgjdbcTest {

    static final ScramSecret SECRET = ScramSecret.fromPassword("jdbc pässword");
    static final String AFTER_LOGIN = "test server stops after authentication";

    @Test
    void pgjdbcLogsInWithTheRightPasswordAndAcceptsTheServerSignature() throws Exception {
        CompletableFuture<ScramServerExchange> server = new CompletableFuture<>();

        SQLException error = login("jdbc pässword", server);

        assertThat(error.getMessage()).contains(AFTER_LOGIN);
        assertThat(error.getSQLState()).isEqualTo("57P01");
        ScramServerExchange exchange = server.get(10, TimeUnit.SECONDS);
        assertThat(exchange.recoveredKeys().clientKey()).isEqualTo(Scram.clientKey(
                Scram.saltedPassword("jdbc pässword", SECRET.salt(), SECRET.iterations())));
    }

    @Test
    void pgjdbcWithAWrongPasswordGetsInvalidPassword() throws Exception {
        CompletableFuture<ScramServerExchange> server = new CompletableFuture<>();

        SQLException error = login("jdbc password", server);

        assertThat(error.getSQLState()).isEqualTo("28P01");
        assertThat(error.getMessage())
                .contains("password authentication failed for user \"jay\"");
        assertThat(server.get(10, TimeUnit.SECONDS).isSucceeded()).isFalse();
    }

    private static SQLException login(String password,
            CompletableFuture<ScramServerExchange> exchange) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serverThread = new Thread(() -> serve(listener, exchange), "scram-test-server");
            serverThread.start();
            String url = "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort()
                    + "/db?sslmode=disable&gssEncMode=disable&connectTimeout=10";
            Throwable thrown = catchThrowable(
                    () -> DriverManager.getConnection(url, "jay", password).close());
            serverThread.join(10_000);
            assertThat(thrown).isInstanceOf(SQLException.class);
            return (SQLException) thrown;
        }
    }

    private static void serve(ServerSocket listener,
            CompletableFuture<ScramServerExchange> result) {
        ScramServerExchange exchange = ScramServerExchange.forSecret("jay", SECRET);
        try (Socket socket = listener.accept();
                WireConnection client = WireConnection.accepted(socket)) {
            assertThat(client.receiveStartupCode()).isEqualTo(StartupMessage.PROTOCOL_3_0);
            client.send(new AuthenticationSASL(ScramServerExchange.MECHANISMS));
            SASLInitialResponse initial = decode(client.receiveBody('p'),
                    SASLInitialResponse::decode);
            client.send(new AuthenticationSASLContinue(
                    exchange.receiveClientFirst(initial.mechanism(), initial.data())));
            SASLResponse response = decode(client.receiveBody('p'), SASLResponse::decode);
            try {
                client.send(new AuthenticationSASLFinal(
                        exchange.receiveClientFinal(response.data())));
                client.send(AuthenticationOk.INSTANCE);
                client.send(ErrorResponse.pgherdFatal("57P01", AFTER_LOGIN));
            } catch (AuthenticationFailedException e) {
                client.send(e.toErrorResponse());
            }
            result.complete(exchange);
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
    }

    private static <T> T decode(ByteBuf body, Function<ByteBuf, T> decoder) {
        try {
            return decoder.apply(body);
        } finally {
            body.release();
        }
    }
}
