package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control of one local PostgreSQL server: its data directory, configuration files and process,
 * through {@code initdb}, {@code pg_ctl} and {@code pg_basebackup}. The node's files live in
 * {@code dir}: {@code data/} (the data directory) and {@code postgresql.log}.
 *
 * <p>Every method blocks (processes, files, JDBC) and is meant for one controlling thread at a time.
 * Failures are {@link PostgresException}s whose message names the node and what was observed.
 */
public final class PostgresNode {
    /** The file, inside the data directory, that holds the settings pgherd manages; included from postgresql.conf. */
    public static final String MANAGED_CONF = "pgherd.conf";
    /**
     * The setting a leader in synchronous mode keeps in {@code postgresql.auto.conf} (ALTER SYSTEM).
     * A standby must not carry it: pg_basebackup and pg_rewind copy the primary's file, and a standby
     * promoted with the old primary's list would make every commit wait for a standby that may no longer
     * stream from it (its first write after promotion included). The new leader chooses its own.
     */
    public static final String SYNCHRONOUS_STANDBY_NAMES = "synchronous_standby_names";
    /**
     * The parameters pgherd sets on every node unless the dynamic configuration sets them otherwise, in
     * the order written (beside those it always sets: listening, naming, {@code wal_level},
     * {@code hot_standby}, {@code wal_log_hints}).
     */
    public static final Map<String, String> DEFAULT_PARAMETERS = defaultParameters();
    private static final Logger log = LoggerFactory.getLogger(PostgresNode.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    private static final int LOG_TAIL_LINES = 20;

    /** In the node directory while a clone runs, and after one that was interrupted (see {@link #cloneInterrupted}). */
    public static final String CLONE_MARKER = "clone.incomplete";
    /** The loopback address: where a node on this machine is reached and listens unless told otherwise. */
    public static final String LOOPBACK = "127.0.0.1";

    private final String name;
    private final Path dir;
    private final String host;
    private final int port;
    private final List<String> listen;
    private final PgBinaries binaries;
    private final CommandRunner runner;

    /** A node on this machine, reached at and listening on 127.0.0.1 only. */
    public PostgresNode(String name, Path dir, int port, PgBinaries binaries, CommandRunner runner) {
        this(name, dir, LOOPBACK, port, List.of(LOOPBACK), binaries, runner);
    }

    /**
     * A node reached at {@code host:port} ({@link #connect}, and the address a standby of it streams from), whose
     * server, when this machine runs it, listens on {@code listen} ({@code listen_addresses}).
     */
    public PostgresNode(String name, Path dir, String host, int port, List<String> listen, PgBinaries binaries,
                        CommandRunner runner) {
        this.name = name;
        this.dir = dir.toAbsolutePath();
        this.host = host;
        this.port = port;
        this.listen = List.copyOf(listen);
        this.binaries = binaries;
        this.runner = runner;
    }

    public String name() {
        return name;
    }

    /** The address this node is reached at. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path logFile() {
        return dir.resolve("postgresql.log");
    }

    /**
     * Whether the data directory holds an initialized cluster: not the partial copy of a clone that was
     * interrupted ({@link #cloneInterrupted}), which must never be started.
     */
    public boolean isInitialized() {
        return Files.exists(dataDir().resolve("PG_VERSION")) && !cloneInterrupted();
    }

    /**
     * Whether a clone of this node began and never finished (its process was killed, its host died): then
     * {@value #CLONE_MARKER} is in the node directory, and the data directory holds a partial copy.
     */
    public boolean cloneInterrupted() {
        return Files.exists(dir.resolve(CLONE_MARKER));
    }

    /**
     * Deletes what an interrupted clone left (the partial data directory and the marker), so nothing starts it and
     * it takes no room; false when no clone was interrupted.
     */
    public boolean discardInterruptedClone() {
        if (!cloneInterrupted()) {
            return false;
        }
        removeDataDirectory();
        try {
            Files.deleteIfExists(dir.resolve(CLONE_MARKER));
        } catch (IOException e) {
            throw new PostgresException("could not delete " + dir.resolve(CLONE_MARKER) + ": " + e.getMessage(), e);
        }
        log.info("{}: deleted the partial copy an interrupted clone left", name);
        return true;
    }

    /**
     * Creates the node directory and an empty data directory owned by the server user, after checking
     * that an existing data directory is empty and owned by that user and that the server user can
     * write there.
     *
     * @throws DataDirectoryException saying what is wrong with the directory
     */
    /**
     * Deletes the data directory of this stopped node (before cloning it again). Refuses while a
     * postmaster runs on it.
     */
    public void removeDataDirectory() {
        OptionalLong pid = postmasterPid();
        if (pid.isPresent() && Processes.isRunning(pid.getAsLong())) {
            throw new PostgresException("will not delete the data directory of node " + name + ": its postmaster (pid "
                    + pid.getAsLong() + ") runs");
        }
        Path data = dataDir();
        if (!Files.exists(data)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(data)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new PostgresException("could not delete the data directory " + data + " of node " + name + ": " + e.getMessage(), e);
        }
        log.info("{}: deleted its data directory to clone it again", name);
    }

    public void prepareEmptyDataDirectory() {
        Path data = dataDir();
        if (Files.exists(data)) {
            String owner = owner(data);
            if (!owner.equals(runner.user().name())) {
                throw new DataDirectoryException("data directory " + data + " of node " + name + " is owned by OS user "
                        + owner + ", but PostgreSQL runs as " + runner.user().name()
                        + "; change its owner or choose another directory");
            }
            List<String> entries = list(data);
            if (!entries.isEmpty()) {
                throw new DataDirectoryException("data directory " + data + " of node " + name
                        + " is not empty and holds no PostgreSQL cluster (it contains "
                        + String.join(", ", entries.subList(0, Math.min(5, entries.size())))
                        + (entries.size() > 5 ? ", …" : "") + "); empty it or choose another directory");
            }
        }
        SecureFiles.createPrivateDirectory(dir, runner.user());
        SecureFiles.createPrivateDirectory(data, runner.user());
        if (!serverUserMay("-w", data)) {
            Path blocking = data;
            for (Path p = data.getRoot(), rest = data.getRoot().relativize(data); rest.getNameCount() > 0;
                 p = p.resolve(rest.getName(0)), rest = rest.getNameCount() > 1 ? rest.subpath(1, rest.getNameCount()) : Path.of("")) {
                if (!serverUserMay("-x", p)) {
                    blocking = p;
                    break;
                }
            }
            throw new DataDirectoryException("OS user " + runner.user().name() + " cannot write to " + data + ": it may not"
                    + " enter " + blocking + " (" + describePermissions(blocking) + "); give it the x permission there"
                    + " (chmod o+x) or choose another directory");
        }
    }

    private boolean serverUserMay(String test, Path path) {
        return runner.run(List.of("test", test, path.toString()), Path.of("/"), Map.of(), Duration.ofSeconds(10)).succeeded();
    }

    private static String describePermissions(Path path) {
        try {
            return "owner " + owner(path) + ", mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException | UncheckedIOException e) {
            return "permissions unreadable";
        }
    }

    /**
     * Runs {@code initdb}: data checksums on, UTF-8, SCRAM-SHA-256 for every login, the superuser's
     * password taken from a temporary file that is removed afterwards.
     */
    public void initdb(String superuser, String password) {
        prepareEmptyDataDirectory();
        Path pwfile = dir.resolve(".initdb.pw");
        SecureFiles.write(pwfile, password + "\n", runner.user());
        try {
            CommandResult result = pg(List.of(binaries.tool("initdb").toString(), "-D", dataDir().toString(),
                    "-U", superuser, "--pwfile=" + pwfile, "--auth=scram-sha-256", "--data-checksums",
                    "--encoding=UTF8", "--no-locale", "--no-instructions"));
            if (!result.succeeded()) {
                throw new PostgresException("initdb of node " + name + " in " + dataDir() + " failed (exit "
                        + result.exitCode() + "):\n" + Text.indent(result.tail(LOG_TAIL_LINES)));
            }
        } finally {
            deleteQuietly(pwfile);
        }
        log.info("{}: initialized {} (PostgreSQL {})", name, dataDir(), binaries.version());
    }

    /**
     * Writes the settings pgherd manages into {@value #MANAGED_CONF} (listen on this node's listen addresses
     * and port, replication, logging; then {@code extra}, which wins) and makes sure
     * {@code postgresql.conf} includes it.
     */
    public void writeConfiguration(Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", String.join(",", listen));
        settings.put("port", Integer.toString(port));
        settings.put("unix_socket_directories", "");
        settings.put("cluster_name", name);
        settings.put("wal_level", "replica");
        settings.put("hot_standby", "on");
        settings.put("wal_log_hints", "on");
        settings.putAll(DEFAULT_PARAMETERS);
        settings.putAll(extra);
        PgConfFile managed = PgConfFile.empty().comment("Written by pgherd for node " + name + "; changes are overwritten.");
        settings.forEach(managed::set);
        SecureFiles.write(dataDir().resolve(MANAGED_CONF), managed.render(), runner.user());

        Path main = dataDir().resolve("postgresql.conf");
        PgConfFile conf = PgConfFile.read(main);
        if (!conf.get("include_if_exists").filter(MANAGED_CONF::equals).isPresent()) {
            conf.set("include_if_exists", MANAGED_CONF);
            SecureFiles.write(main, conf.render(), runner.user());
        }
    }

    private static Map<String, String> defaultParameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("password_encryption", "scram-sha-256");
        m.put("max_wal_senders", "16");
        m.put("max_replication_slots", "16");
        m.put("wal_keep_size", "128MB");
        m.put("hot_standby_feedback", "on");
        m.put("max_connections", "100");
        m.put("shared_buffers", "64MB");
        m.put("log_line_prefix", "%m [%p] %q%u@%d ");
        m.put("log_connections", "off");
        return Collections.unmodifiableMap(m);
    }

    /** Replaces {@code pg_hba.conf} with {@code rules}. */
    public void writeHba(List<HbaRule> rules) {
        SecureFiles.write(dataDir().resolve("pg_hba.conf"), HbaRule.render(rules), runner.user());
    }

    /** Makes this node a standby of the server at {@code 127.0.0.1:primaryPort} (see {@link #follow(String, int, String, Path, String)}). */
    public void follow(int primaryPort, String replicationUser, Path passfile, String slot) {
        follow(LOOPBACK, primaryPort, replicationUser, passfile, slot);
    }

    /**
     * Makes this node a standby of the server at {@code primaryHost:primaryPort}: sets
     * {@code primary_conninfo} (password from {@code passfile}, {@code application_name} this node's
     * name, so the primary's {@code pg_stat_replication} and {@code synchronous_standby_names} know it
     * by that name) and {@code primary_slot_name} in {@code postgresql.auto.conf}, drops a
     * {@code synchronous_standby_names} set there (see {@link #SYNCHRONOUS_STANDBY_NAMES}) and creates
     * {@code standby.signal}. Takes effect on the next start (or reload, for a running standby).
     */
    public void follow(String primaryHost, int primaryPort, String replicationUser, Path passfile, String slot) {
        Path auto = dataDir().resolve("postgresql.auto.conf");
        PgConfFile conf = PgConfFile.read(auto);
        conf.set("primary_conninfo", conninfo(primaryHost, primaryPort, replicationUser, passfile));
        conf.set("primary_slot_name", slot);
        conf.remove(SYNCHRONOUS_STANDBY_NAMES);
        SecureFiles.write(auto, conf.render(), runner.user());
        SecureFiles.write(dataDir().resolve("standby.signal"), "", runner.user());
    }

    /**
     * Clones this node from a running primary, reached at its {@link #host()} and port, with {@code pg_basebackup}
     * (WAL streamed through the
     * physical replication slot {@code slot} on the primary, {@code -R}) and points it at the primary
     * with {@link #follow}. The slot is made afresh first: an old one of the same name is dropped once
     * no walsender uses it any more (a standby that was just stopped for a re-clone may still hold it
     * for a moment), then created again with WAL reserved. If another client (the leader's agent
     * keeping slots for its members) creates it in between, that one is used.
     */
    public void cloneFrom(PostgresNode primary, Credentials credentials, Path passfile, String slot) {
        discardInterruptedClone();
        prepareEmptyDataDirectory();
        // Until the copy is complete the marker says so: a clone killed midway is never taken for data.
        SecureFiles.write(dir.resolve(CLONE_MARKER), "a clone from " + primary.name() + " runs or was interrupted\n", null);
        try (Connection c = primary.connect(credentials.superuser(), credentials.superuserPassword(), "postgres");
             java.sql.Statement s = c.createStatement()) {
            String inUse = "select 1 from pg_replication_slots where slot_name = '" + slot + "' and active";
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (java.sql.ResultSet rs = s.executeQuery(inUse)) {
                    if (!rs.next()) {
                        break;
                    }
                }
                if (System.nanoTime() - end >= 0) {
                    throw new PostgresException("replication slot " + slot + " on " + primary.name()
                            + " is still in use after 10 s; cannot clone node " + name + " through it");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '" + slot
                    + "' and not active");
            try {
                s.execute("select pg_create_physical_replication_slot('" + slot + "', true)");
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new PostgresException("could not prepare slot " + slot + " on " + primary.name() + ": " + e.getMessage(), e);
        }
        CommandResult result = pg(List.of(binaries.tool("pg_basebackup").toString(), "-D", dataDir().toString(),
                "-d", conninfo(primary.host(), primary.port(), credentials.replicationUser(), passfile), "--wal-method=stream",
                "--write-recovery-conf", "--slot=" + slot, "--checkpoint=fast", "--no-password"));
        if (!result.succeeded()) {
            throw new PostgresException("pg_basebackup of node " + name + " from " + primary.name() + " ("
                    + address(primary.host(), primary.port()) + ") failed (exit " + result.exitCode() + "):\n" + Text.indent(result.tail(LOG_TAIL_LINES)));
        }
        follow(primary.host(), primary.port(), credentials.replicationUser(), passfile, slot);
        try {
            Files.delete(dir.resolve(CLONE_MARKER));
        } catch (IOException e) {
            throw new PostgresException("could not delete " + dir.resolve(CLONE_MARKER) + " after the clone: " + e.getMessage(), e);
        }
        log.info("{}: cloned from {} with slot {}", name, primary.name(), slot);
    }

    private String conninfo(String primaryHost, int primaryPort, String user, Path passfile) {
        return "host=" + primaryHost + " port=" + primaryPort + " user=" + user + " passfile=" + passfile
                + " application_name=" + name + " connect_timeout=5";
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    private static String address(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Starts the server with {@code pg_ctl start -w} and waits up to {@code timeout} for it to accept
     * connections.
     *
     * @throws PortInUseException when the port is taken before the start
     * @throws ServerStartException when the server does not come up, with the last lines of its log
     */
    public void start(Duration timeout) {
        Ports.requireFree(port, "PostgreSQL node " + name);
        CommandResult result = pg(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString(),
                "-l", logFile().toString(), "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())), "start"));
        if (!result.succeeded()) {
            throw new ServerStartException("PostgreSQL node " + name + " (port " + port + ") did not start: pg_ctl exited with "
                    + result.exitCode() + " (" + Text.lastLines(result.output(), 1) + "); last lines of " + logFile()
                    + ":\n" + Text.indent(logTail(LOG_TAIL_LINES)));
        }
        log.info("{}: started on port {}", name, port);
    }

    /** Stops the server with a fast shutdown; a server that is not running is left alone. */
    public void stop(Duration timeout) {
        if (!isRunning()) {
            return;
        }
        OptionalLong pid = postmasterPid();
        CommandResult result = pg(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString(), "-m", "fast",
                "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())), "stop"));
        if (!result.succeeded() && isRunning()) {
            throw new PostgresException("PostgreSQL node " + name + " did not stop within " + timeout.toSeconds() + " s: "
                    + result.tail(3));
        }
        // pg_ctl returns once postmaster.pid is gone, a moment before the postmaster process has exited.
        if (pid.isPresent() && !Deadline.await(timeout, () -> !Processes.isRunning(pid.getAsLong()))) {
            throw new PostgresException("the postmaster of node " + name + " (pid " + pid.getAsLong()
                    + ") still runs " + timeout.toSeconds() + " s after pg_ctl stop");
        }
        log.info("{}: stopped", name);
    }

    /** Promotes this standby ({@code pg_ctl promote -w}) and waits up to {@code timeout} for it to accept writes. */
    public void promote(Duration timeout) {
        CommandResult result = pg(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString(), "-w", "-t",
                Long.toString(Math.max(1, timeout.toSeconds())), "promote"));
        if (!result.succeeded()) {
            throw new PostgresException("PostgreSQL node " + name + " could not be promoted: " + result.tail(3));
        }
        log.info("{}: promoted", name);
    }

    /** Tells the server to read its configuration again ({@code pg_ctl reload}). */
    public void reload() {
        CommandResult result = pg(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString(), "reload"));
        if (!result.succeeded()) {
            throw new PostgresException("PostgreSQL node " + name + " could not reload its configuration: " + result.tail(3));
        }
    }

    /** Whether the data directory is configured as a standby ({@code standby.signal}). */
    public boolean isStandbyConfigured() {
        return Files.exists(dataDir().resolve("standby.signal"));
    }

    /**
     * Makes the next start a read-only standby that follows nobody yet (a demoted primary waiting for a
     * leader); drops a {@code synchronous_standby_names} set in {@code postgresql.auto.conf} as
     * {@link #follow} does.
     */
    public void configureReadOnlyStandby() {
        Path auto = dataDir().resolve("postgresql.auto.conf");
        PgConfFile conf = PgConfFile.read(auto);
        conf.set("primary_conninfo", "");
        conf.remove(SYNCHRONOUS_STANDBY_NAMES);
        SecureFiles.write(auto, conf.render(), runner.user());
        SecureFiles.write(dataDir().resolve("standby.signal"), "", runner.user());
    }

    /** The port in {@code primary_conninfo}, or -1 when the node follows nobody. */
    public int followedPort() {
        String port = followed("port");
        return port.matches("\\d+") ? Integer.parseInt(port) : -1;
    }

    /** The host in {@code primary_conninfo}, or "" when the node follows nobody. */
    public String followedHost() {
        return followed("host");
    }

    /** The value of {@code keyword} in {@code primary_conninfo} of a standby; "" when there is none. */
    private String followed(String keyword) {
        Path auto = dataDir().resolve("postgresql.auto.conf");
        if (!Files.exists(auto) || !isStandbyConfigured()) {
            return "";
        }
        String conninfo = PgConfFile.read(auto).get("primary_conninfo").orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)" + keyword + "=(\\S+)").matcher(conninfo);
        return m.find() ? m.group(1) : "";
    }

    /** Rewinds from the server at 127.0.0.1:{@code sourcePort} (see {@link #rewind(String, int, String, Path, Duration)}). */
    public void rewind(int sourcePort, String superuser, Path passfile, Duration timeout) {
        rewind(LOOPBACK, sourcePort, superuser, passfile, timeout);
    }

    /**
     * Rewinds this stopped former primary to the history of the server at {@code sourceHost:sourcePort}
     * with {@code pg_rewind} (which first runs crash recovery if the server was not shut down
     * cleanly), connecting as {@code superuser} with the password in {@code passfile}.
     *
     * @throws PostgresException when pg_rewind fails (the caller may clone the node again instead)
     */
    public void rewind(String sourceHost, int sourcePort, String superuser, Path passfile, Duration timeout) {
        // pg_rewind's crash recovery runs a single-user server, which refuses standby mode.
        try {
            Files.deleteIfExists(dataDir().resolve("standby.signal"));
        } catch (IOException e) {
            throw new PostgresException("could not remove standby.signal of node " + name + ": " + e.getMessage(), e);
        }
        CommandResult result = runner.run(List.of(binaries.tool("pg_rewind").toString(), "--target-pgdata=" + dataDir(),
                "--source-server=host=" + sourceHost + " port=" + sourcePort + " user=" + superuser + " dbname=postgres passfile="
                        + passfile + " connect_timeout=5"), dir, java.util.Map.of(), timeout);
        if (!result.succeeded()) {
            throw new PostgresException("pg_rewind of node " + name + " from " + address(sourceHost, sourcePort) + " failed (exit "
                    + result.exitCode() + "):\n" + Text.indent(result.tail(LOG_TAIL_LINES)));
        }
        log.info("{}: rewound to the history of the server at {}", name, address(sourceHost, sourcePort));
    }

    /** Whether a postmaster runs on this data directory ({@code pg_ctl status}). */
    public boolean isRunning() {
        if (!isInitialized()) {
            return false;
        }
        return pg(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir().toString(), "status")).exitCode() == 0;
    }

    /** The postmaster's PID from {@code postmaster.pid}, if the file exists. */
    public OptionalLong postmasterPid() {
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A JDBC connection to {@code database} on this node over TCP (at {@link #host()}), as {@code user}. */
    public Connection connect(String user, String password, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "pgherd");
        return DriverManager.getConnection("jdbc:postgresql://" + address(host, port) + "/" + database, props);
    }

    /** The last {@code lines} lines of the server log (empty if there is none yet). */
    public String logTail(int lines) {
        try {
            return Files.exists(logFile()) ? Text.lastLines(Files.readString(logFile(), StandardCharsets.UTF_8), lines) : "";
        } catch (IOException e) {
            return "(could not read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    private CommandResult pg(List<String> argv) {
        return runner.run(argv, Files.isDirectory(dir) ? dir : Path.of("/"), Map.of(), COMMAND_TIMEOUT);
    }

    private static String owner(Path path) {
        try {
            return Files.getFileAttributeView(path, FileOwnerAttributeView.class).getOwner().getName();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the owner of " + path, e);
        }
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", path, e.getMessage());
        }
    }

    /** A short description for logs and errors. */
    @Override
    public String toString() {
        return "PostgresNode[" + name + " " + address(host, port) + " dir=" + dir + "]";
    }
}
