package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.pgherd.testkit.FreePorts;

/**
 * The arguments of {@code user}, {@code token} and {@code audit}, checked before anything is asked (exit 2), and what
 * they say when the API cannot be reached or refuses (exit 1): one {@code pgherd:} line, never the token.
 */
class AccessCommandsTest {
    private static final String TOKEN = "pgh_0a1b2c3d4e5f6a7b_" + "S".repeat(43);

    @TempDir
    Path dir;

    @Test
    void badArgumentsAreUsageErrors() {
        assertUsage(JarCli.inThisJvm("user", "add", "bob", "--role", "boss", "--api", "http://127.0.0.1:1"),
                "--role must be viewer, operator, admin (got 'boss')");
        assertPicocliUsage(JarCli.inThisJvm("user"), "give a subcommand: add NAME --role ROLE, list or remove NAME");
        assertPicocliUsage(JarCli.inThisJvm("token"), "give a subcommand: create --user NAME, list or revoke ID");
        assertUsage(JarCli.inThisJvm("audit", "--limit", "0"), "--limit must be 1 to 1000 (got 0)");
        assertUsage(JarCli.inThisJvm("audit", "--limit", "1001"), "--limit must be 1 to 1000 (got 1001)");
        assertUsage(JarCli.inThisJvm("token", "create", "--user", "bob", "--expires", "soon"),
                "--expires must be a duration such as 90m, 12h, 30d or 2w");
        assertPicocliUsage(JarCli.inThisJvm("user", "list", "--api", "ftp://host"), "--api must be an http:// or https:// URL");
        assertUsage(JarCli.inThisJvm("user", "list", "--api-timeout", "0"), "--api-timeout must be >= 1 second (got 0)");
        assertPicocliUsage(JarCli.inThisJvm("user", "add", "bob"), "Missing required option: '--role=ROLE'");
        JarCli.InJvm both = JarCli.inThisJvm("audit", "--limit", "0", "--api-timeout", "0");
        assertThat(both.err()).as("every problem, on one line").isEqualTo("pgherd: --api-timeout must be >= 1 second (got 0);"
                + " --limit must be 1 to 1000 (got 0); see 'pgherd audit --help'\n");
    }

    @Test
    void aWholeTokenGivenToRevokeIsRefusedWithoutEchoingIt() {
        JarCli.InJvm run = JarCli.inThisJvm("token", "revoke", TOKEN);
        assertUsage(run, "give the token's id ('pgherd token list' shows it), not the token itself");
        assertThat(run.err() + run.out()).doesNotContain("SSSSSSSS");
    }

    @Test
    void withoutAReachableControllerTheCommandSaysSoAndHowToStartOne() {
        int port = FreePorts.allocate();
        JarCli.InJvm run = JarCli.inThisJvm("user", "list", "--api", "http://127.0.0.1:" + port, "--token", TOKEN);
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("pgherd: no controller answers at http://127.0.0.1:" + port + ": start one with"
                + " 'pgherd controller --config FILE' (with controller.api.listen set), or 'pgherd up' for a local cluster\n");
        assertThat(run.err()).doesNotContain("SSSSSSSS");
    }

    @Test
    void withNeitherApiNorLocalClusterTheCommandSaysWhereToGetOne() {
        JarCli.InJvm run = JarCli.inThisJvm("audit", "--dir", dir.toString(), "--token", TOKEN);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("pgherd: no cluster API to call: give --api URL").endsWith("\n").hasLineCount(1);
    }

    @Test
    void aProblemAnswerIsOneLineAndTheTokenIsSentAsBearer() throws IOException {
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"type\":\"https://pgherd.io/problems/unknown-user\",\"title\":\"No such user\",\"status\":404,"
                    + "\"detail\":\"no user bob\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            JarCli.InJvm run = JarCli.inThisJvm("user", "remove", "bob", "--api",
                    "http://127.0.0.1:" + server.getAddress().getPort(), "--token", TOKEN);
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("pgherd: no user bob\n");
            assertThat(run.out()).isEmpty();
            assertThat(authorization.get()).isEqualTo("Bearer " + TOKEN);
        } finally {
            server.stop(0);
        }
    }

    /** A problem of the command's own checks: one line, exit 2. */
    private static void assertUsage(JarCli.InJvm run, String message) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).startsWith("pgherd: " + message).hasLineCount(1);
    }

    /** A problem picocli finds while parsing: its message and the usage, exit 2 (as every command of the CLI). */
    private static void assertPicocliUsage(JarCli.InJvm run, String message) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).contains(message).contains("Usage: pgherd");
    }
}
