package io.pgherd.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.TestDirectories;

/**
 * A real proxy in front of a test cluster's primary, for integration tests: an auth file holding
 * the SCRAM secrets of every login role (read from {@code pg_authid}, as an operator would copy
 * them), a {@code pgherd.yml} with free ports, and the proxy running in this JVM. Close it to stop.
 */
public final class ProxyFixture implements AutoCloseable {
    private final LocalCluster cluster;
    private final Path dir;
    private final Path configFile;
    private ProxyServer server;
    private boolean allNodes;
    private Map<String, Integer> weights = Map.of();
    /** Where the proxy reaches the primary, when not at its own port (a {@code TcpProxy} in between); 0: its port. */
    private int primaryPort;

    private ProxyFixture(LocalCluster cluster, Path dir) {
        this.cluster = cluster;
        this.dir = dir;
        this.configFile = dir.resolve("pgherd.yml");
    }

    /**
     * Starts a proxy whose configuration is the defaults below plus {@code proxyYaml}: lines to add
     * under {@code proxy:}, indented by two spaces (e.g. {@code "  pool:\n    pool_size: 5\n"}).
     */
    public static ProxyFixture start(LocalCluster cluster, String proxyYaml) {
        ProxyFixture fixture = new ProxyFixture(cluster, TestDirectories.create("proxy"));
        fixture.writeConfig(proxyYaml);
        fixture.server = startServer(fixture.configFile);
        return fixture;
    }

    /** As {@link #start}, the proxy reaching the primary through {@code port} (a {@code TcpProxy} in front of it). */
    public static ProxyFixture startVia(LocalCluster cluster, int port, String proxyYaml) {
        ProxyFixture fixture = new ProxyFixture(cluster, TestDirectories.create("proxy"));
        fixture.primaryPort = port;
        fixture.writeConfig(proxyYaml);
        fixture.server = startServer(fixture.configFile);
        return fixture;
    }

    /**
     * Starts a proxy over every node of the cluster (primary, standby, replicas, with their roles),
     * the superuser running health checks; {@code proxyYaml} as for {@link #start}. Waits until a
     * health check has found every node up.
     */
    public static ProxyFixture startSplit(LocalCluster cluster, String proxyYaml) {
        return startSplit(cluster, proxyYaml, Map.of());
    }

    /** As {@link #startSplit(LocalCluster, String)}, with read weights by node name (default 1). */
    public static ProxyFixture startSplit(LocalCluster cluster, String proxyYaml, Map<String, Integer> weights) {
        ProxyFixture fixture = new ProxyFixture(cluster, TestDirectories.create("proxy"));
        fixture.allNodes = true;
        fixture.weights = weights;
        fixture.writeConfig(proxyYaml);
        fixture.server = startServer(fixture.configFile);
        io.pgherd.testkit.Await.until("every node checked and up", Duration.ofSeconds(30), () ->
                fixture.proxy().backends().topology().nodes().stream().allMatch(n -> n.checked() && n.isUp()));
        return fixture;
    }

    private static ProxyServer startServer(Path config) {
        try {
            return ProxyServer.start(ProxyConfig.load(config), 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Rewrites the configuration file (the auth file is refreshed too); the proxy sees it on RELOAD. */
    public void writeConfig(String proxyYaml) {
        refreshAuthFile();
        String yaml = "proxy:\n"
                + "  listen: 127.0.0.1:" + (server == null ? 0 : server.port()) + "\n"
                + "  nodes:\n"
                + nodesYaml()
                + "  admin_users: [postgres]\n"
                + "  metrics:\n"
                + "    listen: 127.0.0.1:0\n"
                + (proxyYaml.contains("  auth:") ? "" : "  auth:\n    file: " + authFile() + "\n")
                + proxyYaml;
        write(configFile, yaml);
    }

    private String nodesYaml() {
        if (!allNodes) {
            return "    - {name: " + cluster.primary().name() + ", host: 127.0.0.1, port: "
                    + (primaryPort > 0 ? primaryPort : cluster.primary().port()) + "}\n";
        }
        Path passwordFile = dir.resolve("health.password");
        write(passwordFile, superuserPassword() + "\n");
        StringBuilder out = new StringBuilder();
        for (io.pgherd.postgres.PostgresNode node : cluster.nodes()) {
            out.append("    - {name: ").append(node.name()).append(", host: 127.0.0.1, port: ").append(node.port())
                    .append(", role: ").append(cluster.role(node).label())
                    .append(", weight: ").append(weights.getOrDefault(node.name(), 1)).append("}\n");
        }
        return out + "  health:\n    user: postgres\n    password_file: " + passwordFile + "\n    interval: 200ms\n";
    }

    /** Writes every login role's secret from pg_authid into the auth file. */
    public void refreshAuthFile() {
        List<String> lines = new ArrayList<>();
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select rolname, rolpassword from pg_authid where rolcanlogin and rolpassword is not null")) {
            while (rs.next()) {
                lines.add("\"" + rs.getString(1) + "\" \"" + rs.getString(2) + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_authid: " + e.getMessage(), e);
        }
        write(authFile(), String.join("\n", lines) + "\n");
    }

    /** Creates a login role with a SCRAM password (and refreshes the auth file). */
    public void createUser(String name, String password) {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("drop role if exists " + name);
            s.execute("create role " + name + " login password '" + password + "'");
            s.execute("grant all on schema public to " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create role " + name + ": " + e.getMessage(), e);
        }
        refreshAuthFile();
    }

    public ProxyServer server() {
        return server;
    }

    public Proxy proxy() {
        return server.proxy();
    }

    public int port() {
        return server.port();
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return configFile;
    }

    public Path authFile() {
        return dir.resolve("userlist.txt");
    }

    public LocalCluster cluster() {
        return cluster;
    }

    /** The superuser's password. */
    public String superuserPassword() {
        return cluster.credentials().superuserPassword();
    }

    /** A pgjdbc connection through the proxy as the superuser. */
    public Connection connect(String database) throws SQLException {
        return connect("postgres", superuserPassword(), database, new Properties());
    }

    /** A pgjdbc connection through the proxy. */
    public Connection connect(String user, String password, String database, Properties extra) throws SQLException {
        Properties props = new Properties();
        props.putAll(extra);
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.putIfAbsent("sslmode", "disable");
        props.putIfAbsent("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/" + database, props);
    }

    /** A connection URI for libpq clients (psql, pgbench, psycopg2). */
    public String uri(String user, String password, String database) {
        return "postgresql://" + user + ":" + password + "@127.0.0.1:" + port() + "/" + database;
    }

    /** Environment for libpq programs to reach the proxy as the superuser. */
    public Map<String, String> libpqEnv(String database) {
        return Map.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(port()), "PGUSER", "postgres",
                "PGPASSWORD", superuserPassword(), "PGDATABASE", database, "PGSSLMODE", "disable",
                "PGCONNECT_TIMEOUT", "10");
    }

    /** Runs psql through the proxy; {@code args} follow the connection options. */
    public ExternalCommand.Outcome psql(String database, String... args) {
        List<String> argv = new ArrayList<>(List.of("psql", "-X", "-v", "ON_ERROR_STOP=1"));
        argv.addAll(List.of(args));
        return ExternalCommand.run(argv, libpqEnv(database), Duration.ofMinutes(2));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
