package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.PostgresClusterExtension;
import io.pgherd.testkit.TestDirectories;

/** The failures a user meets most, each with the message that must tell them what went wrong. */
class PostgresNodeErrorsIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static PgBinaries binaries;
    private static ServerUser user;
    private static Path root;
    private static PostgresNode initialized;

    @BeforeAll
    static void initOneNode() {
        binaries = PostgresClusterExtension.binaries();
        user = ServerUser.detect();
        root = TestDirectories.create("PostgresNodeErrorsIT");
        initialized = node("solo", FreePorts.allocate());
        initialized.initdb("postgres", Credentials.randomPassword());
        initialized.writeConfiguration(PostgresClusterExtension.TEST_PARAMETERS);
    }

    @AfterAll
    static void stopIt() {
        initialized.stop(START);
    }

    @Test
    void theSystemIdentifierReadFromTheControlFileIsPgControldatas() throws Exception {
        Process p = new ProcessBuilder(binaries.tool("pg_controldata").toString(), initialized.dataDir().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        String expected = out.lines().filter(l -> l.startsWith("Database system identifier:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
        assertThat(ControlFile.systemIdentifier(initialized.dataDir())).contains(expected);
        assertThat(ControlFile.systemIdentifier(root.resolve("nowhere"))).isEmpty();
    }

    @Test
    void startOnATakenPortNamesThePortAndTheProcessHoldingIt() throws IOException {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), initialized.port()));
            assertThatThrownBy(() -> initialized.start(START))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("port " + initialized.port() + " on 127.0.0.1 (wanted by PostgreSQL node solo)"
                            + " is already in use by pid " + ProcessHandle.current().pid() + " (")
                    .hasMessageContaining("java");
        }
        initialized.start(START);
        assertThat(initialized.isRunning()).isTrue();
        initialized.stop(START);
        assertThat(initialized.isRunning()).isFalse();
    }

    @Test
    void aServerThatDoesNotStartReportsTheEndOfItsLog() {
        initialized.writeConfiguration(Map.of("shared_buffers", "lots"));
        try {
            assertThatThrownBy(() -> initialized.start(START))
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("PostgreSQL node solo (port " + initialized.port() + ") did not start")
                    .hasMessageContaining("last lines of " + initialized.logFile())
                    .hasMessageContaining("invalid value for parameter \"shared_buffers\": \"lots\"");
        } finally {
            initialized.writeConfiguration(PostgresClusterExtension.TEST_PARAMETERS);
        }
        assertThat(initialized.isRunning()).isFalse();
    }

    @Test
    void aDataDirectoryThatIsNotEmptyIsRefusedWithWhatItHolds() throws IOException {
        PostgresNode node = node("cluttered", FreePorts.allocate());
        Files.createDirectories(node.dataDir());
        user.own(node.dataDir());
        Files.writeString(node.dataDir().resolve("stray.txt"), "not a database");

        assertThatThrownBy(() -> node.initdb("postgres", "pw"))
                .isInstanceOf(DataDirectoryException.class)
                .hasMessage("data directory " + node.dataDir() + " of node cluttered is not empty and holds no PostgreSQL"
                        + " cluster (it contains stray.txt); empty it or choose another directory");
        assertThat(node.dataDir().resolve("stray.txt")).hasContent("not a database");
    }

    @Test
    void aDataDirectoryOwnedBySomeoneElseIsRefused() throws IOException {
        PostgresNode node = node("foreign", FreePorts.allocate());
        Files.createDirectories(node.dir());
        String stranger;
        if (user.switchFromRoot()) {
            Files.createDirectories(node.dataDir());
            UserPrincipalLookupService lookup = node.dataDir().getFileSystem().getUserPrincipalLookupService();
            Files.getFileAttributeView(node.dataDir(), PosixFileAttributeView.class)
                    .setOwner(lookup.lookupPrincipalByName("nobody"));
            stranger = "nobody";
        } else {
            // Without root nothing can be given away, so point the data directory at one root owns.
            Files.createSymbolicLink(node.dataDir(), Path.of("/usr"));
            stranger = "root";
        }
        assertThatThrownBy(() -> node.initdb("postgres", "pw"))
                .isInstanceOf(DataDirectoryException.class)
                .hasMessage("data directory " + node.dataDir() + " of node foreign is owned by OS user " + stranger
                        + ", but PostgreSQL runs as " + user.name() + "; change its owner or choose another directory");
    }

    @Test
    void aDirectoryTheServerUserCannotReachIsRefused() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(user.switchFromRoot(),
                "only root can build a directory the server user cannot enter");
        Path locked = root.resolve("locked");
        Files.createDirectory(locked, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PostgresNode node = new PostgresNode("hidden", locked.resolve("hidden"), FreePorts.allocate(), binaries,
                new CommandRunner(user));
        assertThatThrownBy(() -> node.initdb("postgres", "pw"))
                .isInstanceOf(DataDirectoryException.class)
                .hasMessageContaining("OS user postgres cannot write to " + node.dataDir())
                .hasMessageContaining("it may not enter " + locked + " (owner root, mode rwx------)");
    }

    @Test
    void stoppingAServerThatIsNotRunningIsANoOp() {
        PostgresNode node = node("never", FreePorts.allocate());
        assertThat(node.isRunning()).isFalse();
        node.stop(START);
        assertThat(node.isRunning()).isFalse();
    }

    private static PostgresNode node(String name, int port) {
        return new PostgresNode(name, root.resolve(name), port, binaries, new CommandRunner(user));
    }
}
