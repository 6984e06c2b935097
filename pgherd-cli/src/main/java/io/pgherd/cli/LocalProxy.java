package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Deadline;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.NodeRole;
import io.pgherd.postgres.Ports;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.SecureFiles;

/**
 * One proxy of a local cluster. The first ({@code proxy1}) has its configuration in the cluster
 * directory ({@value #CONFIG_FILE}) and, for a detached cluster, its own background process
 * ({@value #PID_FILE}, log in {@value #LOG_FILE}); each further one ({@code pgherd up --proxies N}) has
 * the same under {@value #PROXIES_DIR}/ ({@code proxies/proxy2.yml}, {@code .pid}, {@code .log}). All
 * share the superuser's secret in {@value #AUTH_FILE} and use {@code auth_query} for every other role;
 * each registers in the DCS under its own name.
 */
final class LocalProxy {
    static final String CONFIG_FILE = "pgherd.yml";
    static final String AUTH_FILE = "userlist.txt";
    static final String PID_FILE = "proxy.pid";
    static final String LOG_FILE = "proxy.log";
    static final String PROXIES_DIR = "proxies";

    private final ClusterDirectory directory;
    private final LocalState state;
    private final LocalState.Proxy proxy;

    LocalProxy(ClusterDirectory directory, LocalState state, LocalState.Proxy proxy) {
        this.directory = directory;
        this.state = state;
        this.proxy = proxy;
    }

    /** Every proxy of the cluster, {@code proxy1} first. */
    static List<LocalProxy> all(ClusterDirectory directory, LocalState state) {
        return state.proxies().stream().map(p -> new LocalProxy(directory, state, p)).toList();
    }

    LocalState.Proxy recorded() {
        return proxy;
    }

    private boolean first() {
        return proxy.equals(state.proxies().get(0));
    }

    private Path file(String firstProxysName, String extension) {
        return first() ? directory.path().resolve(firstProxysName)
                : directory.path().resolve(PROXIES_DIR).resolve(proxy.name() + extension);
    }

    Path configFile() {
        return file(CONFIG_FILE, ".yml");
    }

    /**
     * Writes every proxy's configuration and the shared auth file for the running cluster (every
     * node, with {@code leader} as the primary; the superuser runs health checks).
     */
    static void writeConfigurations(ClusterDirectory directory, LocalState state, LocalCluster cluster, String leader) {
        Path dir = directory.path();
        String secret;
        try (Connection c = cluster.connect(cluster.node(leader)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select rolpassword from pg_authid where rolname = '" + LocalCluster.SUPERUSER + "'")) {
            rs.next();
            secret = rs.getString(1);
        } catch (SQLException e) {
            throw new PostgresException("could not read the superuser's secret from " + leader + ": "
                    + e.getMessage(), e);
        }
        SecureFiles.write(dir.resolve(AUTH_FILE), "\"" + LocalCluster.SUPERUSER + "\" \"" + secret + "\"\n", null);
        if (state.proxies().size() > 1) {
            try {
                Files.createDirectories(dir.resolve(PROXIES_DIR));
            } catch (IOException e) {
                throw new UncheckedIOException("could not create " + dir.resolve(PROXIES_DIR), e);
            }
        }
        for (LocalProxy proxy : all(directory, state)) {
            proxy.writeConfiguration(leader);
        }
    }

    private void writeConfiguration(String leader) {
        Path dir = directory.path();
        String yaml = "# Written by 'pgherd up'; " + proxy.name() + ", a proxy in front of this local cluster.\n"
                + "proxy:\n"
                + "  listen: 127.0.0.1:" + proxy.port() + "\n"
                + "  nodes:\n"
                + nodes(leader)
                + "  admin_users: [" + LocalCluster.SUPERUSER + "]\n"
                + "  auth:\n"
                + "    file: " + dir.resolve(AUTH_FILE) + "\n"
                + "    user: " + LocalCluster.SUPERUSER + "\n"
                + "    password_file: " + dir.resolve(Credentials.SUPERUSER_PASSWORD_FILE) + "\n"
                + "  pool:\n"
                + "    mode: transaction\n"
                + "    pool_size: 20\n"
                + "  metrics:\n"
                + "    listen: 127.0.0.1:" + proxy.metricsPort() + "\n"
                + (state.highlyAvailable() ? "  cluster:\n"
                + "    dcs: " + state.dcs() + "\n"
                + "    name: " + state.cluster() + "\n"
                + "    proxy_name: " + proxy.name() + "\n" : "");
        SecureFiles.write(configFile(), yaml, null);
    }

    /** Every node with its role now: reads go to the standbys and the replicas. */
    private String nodes(String leader) {
        StringBuilder out = new StringBuilder();
        for (LocalState.Node node : state.nodes()) {
            out.append("    - {name: ").append(node.name()).append(", host: 127.0.0.1, port: ").append(node.port())
                    .append(", role: ").append(currentRole(node, leader).label()).append("}\n");
        }
        return out.toString();
    }

    /** A node's role with {@code leader} leading: the leader is the primary, a node created as the primary is now a standby. */
    static NodeRole currentRole(LocalState.Node node, String leader) {
        if (node.name().equals(leader)) {
            return NodeRole.PRIMARY;
        }
        NodeRole created = NodeRole.fromLabel(node.role());
        return created == NodeRole.PRIMARY ? NodeRole.STANDBY : created;
    }

    /** The proxy's background process (a detached cluster's, or the PID of a foreground 'up'). */
    Daemon daemon() {
        return new Daemon(state.proxies().size() == 1 ? "the proxy" : "the proxy " + proxy.name(), file(PID_FILE, ".pid"),
                file(LOG_FILE, ".log"), proxy.port());
    }

    /** Whether this proxy's process runs and accepts connections. */
    boolean isRunning() {
        return daemon().isRunning() && daemon().accepts();
    }

    /**
     * Starts the proxy as a background process of this jar (surviving this command), and waits until
     * it accepts connections.
     *
     * @throws PostgresException with the end of its log when it does not come up
     */
    void startDetached(Duration timeout) {
        daemon().start(JvmOptions.of(JvmOptions.Kind.PROXY),
                List.of("proxy", "--config", configFile().toString()), timeout);
        // Its metrics endpoint listens just after the clients' port: a proxy that cannot bind it exits then.
        Daemon metrics = new Daemon(daemon().what() + "'s metrics", daemon().pidFile(), daemon().logFile(), proxy.metricsPort());
        if (!Deadline.await(timeout, () -> servesMetrics(metrics) || !daemon().isRunning()) || !daemon().isRunning()) {
            String log = daemon().tail();
            stop(Duration.ofSeconds(10));
            throw new PostgresException(daemon().what() + " did not serve its metrics on port " + proxy.metricsPort()
                    + (Ports.isFree(proxy.metricsPort()) ? "" : " (in use by " + Ports.holder(proxy.metricsPort()) + ")")
                    + "; end of " + daemon().logFile() + ":\n" + log);
        }
    }

    /** Whether the proxy's own process (not another one) accepts connections on its metrics port. */
    private boolean servesMetrics(Daemon metrics) {
        OptionalLong listener = Ports.listenerPid(metrics.port());
        return metrics.accepts() && (listener.isEmpty() || listener.equals(daemon().pid()));
    }

    /** Asks the background proxy to stop (SIGTERM) without waiting, so several stop at once. */
    void signalStop() {
        daemon().signalStop();
    }

    /** Stops the background proxy (SIGTERM, then SIGKILL after {@code timeout}); a proxy that does not run is left alone. */
    void stop(Duration timeout) {
        daemon().stop(timeout);
    }

    String uri(Credentials credentials, String database) {
        return credentials.superuserUri(proxy.port(), database);
    }
}
