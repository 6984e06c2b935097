package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.pgherd.cluster.AccessStore;
import io.pgherd.cluster.TokenRecord;
import io.pgherd.controller.access.TokenSecrets;
import io.pgherd.dcs.Entry;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.TestDirectories;

/**
 * Users, tokens and the audit log through the built jar on a real local cluster ({@code pgherd up}: PostgreSQL,
 * agents, the embedded ZooKeeper, a proxy, one controller serving the cluster API): {@code up} writes an admin token
 * to a 0600 file and the DCS holds only its hash; {@code user}, {@code token} and {@code audit} work through the API
 * with it; a viewer is refused, a revoked token is refused; and no token appears in any log of the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessCliIT {
    private static final Duration API_UP = Duration.ofSeconds(90);

    private Path dir;
    private LocalUp up;
    /** Every token this run saw, to look for in its logs at the end. */
    private final List<String> tokens = new ArrayList<>();
    /** Everything the commands printed, but the one answer meant to hold a token ('token create''s stdout). */
    private final StringBuilder printed = new StringBuilder();

    @BeforeAll
    void up() throws Exception {
        dir = TestDirectories.create("AccessCliIT");
        up = LocalUp.start(dir, "--replicas", "0", "--controllers", "1");
    }

    @AfterAll
    void down() throws Exception {
        if (up != null) {
            up.dcs.close();
        }
        JarCli.Result down = JarCli.pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
    }

    @Test
    @Order(1)
    void upWritesAnAdminTokenToA0600FileAndTheDcsHoldsOnlyItsHash() throws Exception {
        Path file = dir.resolve(LocalAdminToken.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String token = Files.readString(file).strip();
        tokens.add(token);
        assertThat(TokenSecrets.idOf(token)).isPresent();

        List<TokenRecord> records = new AccessStore(up.cluster).tokens();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).user()).isEqualTo("admin");
        assertThat(records.get(0).hash()).isEqualTo(TokenSecrets.hash(token));
        assertThat(up.dcs.list("/")).extracting(Entry::value).noneMatch(v -> v.contains(secret(token)));
    }

    @Test
    @Order(2)
    void usersTokensAndTheAuditLogAreManagedThroughTheApi() throws Exception {
        // The controller was started last by 'up': its API may take a moment.
        Await.until("the cluster API answers 'user list'", API_UP, () -> cli("user", "list").exit() == 0);
        assertThat(cli("user", "list").stdout()).startsWith("NAME   ROLE   CREATED\nadmin  admin  ");

        JarCli.Result added = cli("user", "add", "bob", "--role", "viewer");
        assertThat(added.exit()).as(added.toString()).isZero();
        assertThat(added.stdout()).startsWith("user bob added as viewer");
        assertThat(cli("user", "add", "bob", "--role", "admin").stderr()).isEqualTo("pgherd: user bob exists\n");

        JarCli.Result made = JarCli.pgherd("token", "create", "--user", "bob", "--expires", "1d", "--dir", dir.toString());
        assertThat(made.exit()).as(made.stderr()).isZero();
        printed.append(made.stderr());
        String bobs = made.stdout().strip();
        tokens.add(bobs);
        assertThat(made.stdout()).as("the token alone on stdout").isEqualTo(bobs + "\n");
        String id = TokenSecrets.idOf(bobs).orElseThrow();
        assertThat(made.stderr()).startsWith("token " + id + " of user bob created, expires 20")
                .endsWith("; this is the only time it is shown:\n");

        JarCli.Result list = cli("token", "list");
        assertThat(list.stdout()).contains(id + "  bob").doesNotContain(secret(bobs));

        JarCli.Result asViewer = JarCli.pgherd(Map.of(ApiTarget.TOKEN_ENV, bobs), "user", "list", "--dir", dir.toString());
        printed.append(asViewer.stdout()).append(asViewer.stderr());
        assertThat(asViewer.exit()).as(asViewer.toString()).isEqualTo(1);
        assertThat(asViewer.stderr()).startsWith("pgherd: ").hasLineCount(1);

        JarCli.Result audit = cli("audit", "--limit", "10");
        assertThat(audit.exit()).as(audit.toString()).isZero();
        assertThat(audit.stdout()).contains("POST /api/v1/users").contains("POST /api/v1/tokens").contains("admin")
                .contains("bob");

        assertThat(cli("token", "revoke", id).stdout()).isEqualTo("token " + id + " revoked\n");
        JarCli.Result revoked = JarCli.pgherd(Map.of(ApiTarget.TOKEN_ENV, bobs), "audit", "--dir", dir.toString());
        printed.append(revoked.stdout()).append(revoked.stderr());
        assertThat(revoked.exit()).isEqualTo(1);
        assertThat(revoked.stderr()).startsWith("pgherd: unknown or revoked token").hasLineCount(1)
                .endsWith(" (the token from PGHERD_TOKEN was refused: give another with --token or PGHERD_TOKEN)\n");

        assertThat(cli("user", "remove", "bob").stdout()).isEqualTo("user bob removed; its tokens are revoked\n");
        assertThat(cli("user", "list").stdout()).doesNotContain("bob");
    }

    @Test
    @Order(3)
    void noTokenAppearsInAnyLogOfTheRunOrInWhatTheCommandsPrinted() throws IOException {
        assertThat(tokens).hasSizeGreaterThanOrEqualTo(2);
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).filter(AccessCliIT::isLogOrConfiguration).forEach(logs::add);
        }
        assertThat(logs).as("the run's logs").anyMatch(p -> p.toString().contains("controllers") && p.toString().endsWith(".log"));
        for (Path log : logs) {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            for (String token : tokens) {
                assertThat(text).as(log.toString()).doesNotContain(secret(token));
            }
        }
        for (String token : tokens) {
            assertThat(printed.toString()).doesNotContain(secret(token));
        }
    }

    /** A log, or a file of text the run wrote (configuration, state): anything a token could have leaked into. */
    private static boolean isLogOrConfiguration(Path file) {
        String name = file.getFileName().toString();
        if (name.equals(LocalAdminToken.FILE)) {
            return false;
        }
        return name.endsWith(".log") || name.endsWith(".yml") || name.endsWith(".json") || name.endsWith(".conf")
                || name.endsWith(".out") || name.endsWith(".err") || file.getParent().getFileName().toString().equals("log");
    }

    private JarCli.Result cli(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--dir", dir.toString()));
        JarCli.Result result = JarCli.pgherd(Map.of(ApiTarget.TOKEN_ENV, ""), argv.toArray(String[]::new));
        printed.append(result.stdout()).append(result.stderr());
        return result;
    }

    /** The secret part of a token (what must never be written anywhere but the token file). */
    private static String secret(String token) {
        return token.substring("pgh_0123456789abcdef_".length());
    }
}
