package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Deadline;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.Processes;
import io.pgherd.postgres.SecureFiles;

/**
 * The proxy of a local cluster: its configuration in the cluster directory ({@value #CONFIG_FILE},
 * with the superuser's secret in {@value #AUTH_FILE} and {@code auth_query} for every other role),
 * and, for a detached cluster, its own background process ({@value #PID_FILE}, log in {@value #LOG_FILE}).
 */
final class LocalProxy {
    static final String CONFIG_FILE = "pgherd.yml";
    static final String AUTH_FILE = "userlist.txt";
    static final String PID_FILE = "proxy.pid";
    static final String LOG_FILE = "proxy.log";

    private final ClusterDirectory directory;
    private final LocalState state;

    LocalProxy(ClusterDirectory directory, LocalState state) {
        this.directory = directory;
        this.state = state;
    }

    Path configFile() {
        return directory.path().resolve(CONFIG_FILE);
    }

    /** Writes the proxy's configuration and auth file for the running cluster (every node; the superuser runs health checks). */
    void writeConfiguration(LocalCluster cluster) {
        Path dir = directory.path();
        String secret;
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select rolpassword from pg_authid where rolname = '" + LocalCluster.SUPERUSER + "'")) {
            rs.next();
            secret = rs.getString(1);
        } catch (SQLException e) {
            throw new PostgresException("could not read the superuser's secret from " + cluster.primary().name() + ": "
                    + e.getMessage(), e);
        }
        SecureFiles.write(dir.resolve(AUTH_FILE), "\"" + LocalCluster.SUPERUSER + "\" \"" + secret + "\"\n", null);
        String yaml = "# Written by 'pgherd up'; the proxy in front of this local cluster.\n"
                + "proxy:\n"
                + "  listen: 127.0.0.1:" + state.proxyPort() + "\n"
                + "  nodes:\n"
                + nodes(cluster)
                + "  admin_users: [" + LocalCluster.SUPERUSER + "]\n"
                + "  auth:\n"
                + "    file: " + dir.resolve(AUTH_FILE) + "\n"
                + "    user: " + LocalCluster.SUPERUSER + "\n"
                + "    password_file: " + dir.resolve(Credentials.SUPERUSER_PASSWORD_FILE) + "\n"
                + "  pool:\n"
                + "    mode: transaction\n"
                + "    pool_size: 20\n"
                + "  metrics:\n"
                + "    listen: 127.0.0.1:" + state.metricsPort() + "\n";
        SecureFiles.write(configFile(), yaml, null);
    }

    /** Every node, primary first, with its role: reads go to the standby and the replicas. */
    private static String nodes(LocalCluster cluster) {
        StringBuilder out = new StringBuilder();
        for (io.pgherd.postgres.PostgresNode node : cluster.nodes()) {
            out.append("    - {name: ").append(node.name()).append(", host: 127.0.0.1, port: ").append(node.port())
                    .append(", role: ").append(cluster.role(node).label()).append("}\n");
        }
        return out.toString();
    }

    /** Whether a proxy process of this directory runs and accepts connections. */
    boolean isRunning() {
        return pid().isPresent() && accepts();
    }

    boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", state.proxyPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    OptionalLong pid() {
        Path file = directory.path().resolve(PID_FILE);
        try {
            if (!Files.exists(file)) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(file).strip());
            return Processes.isRunning(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Starts the proxy as a background process of this jar (surviving this command), and waits until
     * it accepts connections.
     *
     * @throws PostgresException with the end of its log when it does not come up
     */
    void startDetached(Duration timeout) {
        Path log = directory.path().resolve(LOG_FILE);
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Its own session: closing the terminal that ran 'pgherd up' must not take the proxy down.
            argv.add("/usr/bin/setsid");
        }
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        // Netty's pooled allocator keeps what it once needed, up to the direct-memory limit (by default
        // the heap's maximum): bound both, so the proxy's footprint stays predictable.
        argv.addAll(List.of("-Xmx512m", "-XX:MaxDirectMemorySize=256m"));
        argv.addAll(List.of("-cp", ownJar(), Main.class.getName(), "proxy", "--config", configFile().toString()));
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new PostgresException("could not start the proxy: " + e.getMessage(), e);
        }
        // setsid execs into java, so the started process's PID is the proxy's.
        long pid = process.pid();
        SecureFiles.write(directory.path().resolve(PID_FILE), pid + "\n", null);
        if (!Deadline.await(timeout, () -> accepts() || !Processes.isRunning(pid))) {
            stop(Duration.ofSeconds(10));
            throw new PostgresException("the proxy did not accept connections on port " + state.proxyPort() + " within "
                    + timeout.toSeconds() + " s; end of " + log + ":\n" + tail(log));
        }
        if (!Processes.isRunning(pid)) {
            throw new PostgresException("the proxy exited at start; end of " + log + ":\n" + tail(log));
        }
    }

    /** Stops the background proxy (SIGTERM, then SIGKILL after {@code timeout}); a proxy that does not run is left alone. */
    void stop(Duration timeout) {
        OptionalLong pid = pid();
        if (pid.isPresent()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(p -> {
                p.destroy();
                if (!Deadline.await(timeout, () -> !Processes.isRunning(p.pid()))) {
                    p.destroyForcibly();
                    Deadline.await(Duration.ofSeconds(5), () -> !Processes.isRunning(p.pid()));
                }
            });
        }
        try {
            Files.deleteIfExists(directory.path().resolve(PID_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String uri(Credentials credentials, String database) {
        return credentials.superuserUri(state.proxyPort(), database);
    }


    private static String ownJar() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the pgherd jar", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "    (no log)";
        }
    }
}
