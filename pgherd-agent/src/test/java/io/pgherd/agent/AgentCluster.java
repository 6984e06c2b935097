package io.pgherd.agent;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TcpProxy;
import io.pgherd.testkit.TestDirectories;

/**
 * A highly available test cluster: an embedded ZooKeeper and one {@link Agent} per member, each
 * reaching the DCS through its own {@link TcpProxy} (so one agent can be cut off) and running its
 * own PostgreSQL on a free port. Members are agents in this JVM; their PostgreSQL servers are real
 * processes. Close it to stop everything.
 */
final class AgentCluster implements AutoCloseable {
    /**
     * The leader key's TTL, shorter than pgherd's default of 10 s so that tests which wait one out are
     * quick, and the bound on each DCS call at its default of 3 s (Patroni's rule {@code loop_wait + 2 *
     * retry_timeout <= ttl} holds): ZooKeeper shares this JVM, the CPUs and the disk with the servers,
     * and a call that stalls for two seconds on a busy host must not count as losing the DCS, which
     * demotes the leader.
     */
    static final Duration TTL = Duration.ofSeconds(8);
    static final Duration RETRY_TIMEOUT = Duration.ofSeconds(3);
    /** Short, so a test with a proxy that never acknowledges a switchover waits only this long. */
    static final Duration PROXY_ACK_TIMEOUT = Duration.ofSeconds(3);

    private final Path dir;
    private final EmbeddedZooKeeper zooKeeper;
    private final int zooKeeperPort;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private Duration retryTimeout = RETRY_TIMEOUT;
    private Dcs directDcs;

    /** One member: its configuration, its agent (null while stopped) and its way to the DCS. */
    static final class Member {
        final String name;
        final int port;
        final TcpProxy dcsLink;
        final AgentConfig config;
        final int apiPort;
        Agent agent;
        RestApi api;

        Member(String name, int port, int apiPort, TcpProxy dcsLink, AgentConfig config) {
            this.name = name;
            this.apiPort = apiPort;
            this.port = port;
            this.dcsLink = dcsLink;
            this.config = config;
        }
    }

    private AgentCluster(Path dir, EmbeddedZooKeeper zooKeeper, int zooKeeperPort) {
        this.dir = dir;
        this.zooKeeper = zooKeeper;
        this.zooKeeperPort = zooKeeperPort;
    }

    /** Starts ZooKeeper and the agents of {@code standbys} failover candidates and {@code replicas} read replicas. */
    static AgentCluster start(int standbys, int replicas) {
        return start(standbys, replicas, false);
    }

    /** As {@link #start(int, int)}, every agent with {@code agent.ha.synchronous_mode} as given. */
    static AgentCluster start(int standbys, int replicas, boolean synchronousMode) {
        return start(standbys, replicas, synchronousMode, RETRY_TIMEOUT);
    }

    /** As {@link #start(int, int, boolean)}, every agent with {@code agent.ha.retry_timeout} as given. */
    static AgentCluster start(int standbys, int replicas, boolean synchronousMode, Duration retryTimeout) {
        Path dir = TestDirectories.create("agents");
        List<Integer> ports = FreePorts.allocate(1 + 2 * (standbys + replicas));
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), ports.get(0), Duration.ofMillis(500));
        AgentCluster cluster = new AgentCluster(dir, zk, ports.get(0));
        cluster.retryTimeout = retryTimeout;
        for (int i = 0; i < standbys + replicas; i++) {
            String name = "node" + (i + 1);
            cluster.add(name, ports.get(i + 1), ports.get(1 + standbys + replicas + i), i >= standbys, synchronousMode);
        }
        cluster.members.values().forEach(m -> {
            m.agent = new Agent(m.config).start();
            m.api = RestApi.start(m.agent);
        });
        return cluster;
    }

    private void add(String name, int port, int apiPort, boolean replica, boolean synchronousMode) {
        TcpProxy link = TcpProxy.to("127.0.0.1", zooKeeperPort);
        members.put(name, new Member(name, port, apiPort, link, config(name, port, apiPort, link, replica, synchronousMode)));
    }

    private AgentConfig config(String name, int port, int apiPort, TcpProxy link, boolean replica, boolean synchronousMode) {
        return config(name, port, apiPort, link, replica, synchronousMode, false);
    }

    private AgentConfig config(String name, int port, int apiPort, TcpProxy link, boolean replica, boolean synchronousMode,
                               boolean cloneFrom) {
        String yaml = "agent:\n"
                + "  cluster: test\n"
                + "  name: " + name + "\n"
                + "  dcs: zookeeper://127.0.0.1:" + link.address().getPort() + "\n"
                + "  role: " + (replica ? "replica" : "standby") + "\n"
                + "  postgres:\n"
                + "    dir: " + dir.resolve(name) + "\n"
                + "    port: " + port + "\n"
                + "    credentials_dir: " + dir + "\n"
                + "  api:\n"
                + "    listen: 127.0.0.1:" + apiPort + "\n"
                + "  ha:\n"
                + "    ttl: " + TTL.toMillis() + "ms\n"
                + "    loop_wait: 500ms\n"
                + "    retry_timeout: " + retryTimeout.toMillis() + "ms\n"
                + "    start_timeout: 20s\n"
                + "    proxy_ack_timeout: " + PROXY_ACK_TIMEOUT.toMillis() + "ms\n"
                + "    synchronous_mode: " + synchronousMode + "\n"
                + "  tags:\n"
                + "    clonefrom: " + cloneFrom + "\n";
        return AgentConfig.read(yaml, name + ".yml");
    }

    /** Stops a member's agent and REST API; its PostgreSQL keeps running. */
    void stopAgent(Member m) {
        m.api.close();
        m.agent.close();
        m.api = null;
        m.agent = null;
    }

    /** Starts a stopped member's agent and REST API again, with {@code agent.ha.synchronous_mode} as given. */
    void startAgent(Member m, boolean synchronousMode) {
        m.agent = new Agent(config(m.name, m.port, m.apiPort, m.dcsLink, m.config.get(AgentConfig.ROLE)
                == AgentConfig.Role.REPLICA, synchronousMode)).start();
        m.api = RestApi.start(m.agent);
    }

    /** Starts a stopped member's agent again, tagged {@code clonefrom} as given. */
    void startAgentTagged(Member m, boolean cloneFrom) {
        m.agent = new Agent(config(m.name, m.port, m.apiPort, m.dcsLink, m.config.get(AgentConfig.ROLE)
                == AgentConfig.Role.REPLICA, false, cloneFrom)).start();
        m.api = RestApi.start(m.agent);
    }

    /**
     * Adds a spare member ({@code agent.role: spare}) named {@code name}, with no data directory, and starts its
     * agent and REST API; the cluster stops it (and its PostgreSQL, if it came to run one) on close.
     */
    Member startSpare(String name) {
        List<Integer> ports = FreePorts.allocate(2);
        TcpProxy link = TcpProxy.to("127.0.0.1", zooKeeperPort);
        AgentConfig standby = config(name, ports.get(0), ports.get(1), link, false, false);
        String yaml = "agent:\n  cluster: test\n  name: " + name + "\n  dcs: zookeeper://127.0.0.1:" + link.address().getPort()
                + "\n  role: spare\n  postgres:\n    dir: " + dir.resolve(name) + "\n    port: " + ports.get(0)
                + "\n    credentials_dir: " + dir + "\n  api:\n    listen: 127.0.0.1:" + ports.get(1) + "\n  ha:\n    ttl: "
                + standby.get(AgentConfig.TTL).toMillis() + "ms\n    loop_wait: 500ms\n    retry_timeout: "
                + standby.get(AgentConfig.RETRY_TIMEOUT).toMillis() + "ms\n    start_timeout: 20s\n";
        Member m = new Member(name, ports.get(0), ports.get(1), link, AgentConfig.read(yaml, name + ".yml"));
        members.put(name, m);
        m.agent = new Agent(m.config).start();
        m.api = RestApi.start(m.agent);
        return m;
    }

    /** Stops a member's PostgreSQL (fast shutdown), its agent being stopped: what {@code pgherd down} does last. */
    void stopPostgresOf(Member m) {
        stopPostgres(m);
    }

    /** Stops a member's PostgreSQL (fast shutdown) and deletes its data directory: a member that lost its disk. */
    void wipe(Member m) throws IOException {
        stopPostgres(m);
        Path data = dir.resolve(m.name).resolve("data");
        try (java.util.stream.Stream<Path> walk = Files.walk(data)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    Member member(String name) {
        return members.get(name);
    }

    List<Member> members() {
        return new ArrayList<>(members.values());
    }

    /** Who holds the leader key, as a running agent's last cycle saw it. */
    Optional<String> leader() {
        for (Member m : members.values()) {
            if (m.agent != null && m.agent.view().cluster() != null && m.agent.view().dcsReachable()) {
                return ClusterState.of(m.agent.view().cluster()).leader().map(ClusterState.Leader::member);
            }
        }
        return Optional.empty();
    }

    /** Waits until a member leads, its PostgreSQL takes writes, and every other running member streams from it. */
    String awaitHealthy(Duration timeout) {
        String[] leader = new String[1];
        Await.until("a leader that takes writes, followed by every other member", timeout, () -> {
            List<String> writable = writable();
            if (writable.size() != 1) {
                return false;
            }
            leader[0] = writable.get(0);
            if (!leader().equals(Optional.of(leader[0]))) {
                return false;
            }
            for (Member m : members.values()) {
                if (!m.name.equals(leader[0]) && !streamingFrom(m, leader[0])) {
                    return false;
                }
            }
            return true;
        });
        return leader[0];
    }

    /** Members whose PostgreSQL answers and is not in recovery (checked directly, not through the agents). */
    List<String> writable() {
        List<String> out = new ArrayList<>();
        for (Member m : members.values()) {
            try (Connection c = connect(m); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    out.add(m.name);
                }
            } catch (SQLException e) {
                // Down or starting: not writable.
            }
        }
        return out;
    }

    boolean streamingFrom(Member m, String leader) {
        try (Connection c = connect(m); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select sender_port from pg_stat_wal_receiver where status = 'streaming'")) {
            return rs.next() && rs.getInt(1) == members.get(leader).port;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Runs {@code sql} on {@code m}'s PostgreSQL over a fresh superuser connection ({@link #connect}) and returns
     * the first column of every row, as text (null where it is NULL), in the order the server returns them.
     */
    List<String> query(Member m, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(m); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    Connection connect(Member m) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", credentials().superuserPassword());
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + m.port + "/postgres", p);
    }

    Credentials credentials() {
        try {
            return new Credentials("postgres", Files.readString(dir.resolve(Credentials.SUPERUSER_PASSWORD_FILE)).strip(),
                    "replicator", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The postmaster PID of a member, from its pid file. */
    long postmasterPid(Member m) {
        try {
            return Long.parseLong(Files.readAllLines(dir.resolve(m.name).resolve("data").resolve("postmaster.pid")).get(0).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9 of a member's postmaster; waits until it is gone. */
    void killPostgres(Member m) {
        long pid = postmasterPid(m);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Await.until("postmaster " + pid + " of " + m.name + " gone", Duration.ofSeconds(10), () -> !Processes.isRunning(pid));
    }

    /** The status code of GET {@code path} on a member's REST API. */
    int get(Member m, String path) {
        try {
            java.net.http.HttpResponse<Void> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + m.apiPort + path)).timeout(Duration.ofSeconds(5))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A request to a member's REST API: {@code body} JSON or null, with the API's credentials (user
     * pgherd, the superuser's password: the agents' defaults) when {@code authenticated}.
     */
    java.net.http.HttpResponse<String> send(Member m, String method, String path, String body, boolean authenticated) {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + m.apiPort + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (authenticated) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("pgherd:"
                    + credentials().superuserPassword()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        try {
            return java.net.http.HttpClient.newHttpClient().send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + m.name + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cluster's records read straight from ZooKeeper, not through any member's link: what a test polls
     * while it cuts members off.
     */
    synchronized ClusterStore directStore() {
        if (directDcs == null) {
            directDcs = Dcs.connect("zookeeper://127.0.0.1:" + zooKeeperPort, RETRY_TIMEOUT);
        }
        return new ClusterStore(directDcs, "test");
    }

    ClusterStore store() {
        for (Member m : members.values()) {
            if (m.agent != null) {
                return m.agent.store();
            }
        }
        throw new IllegalStateException("no agent running");
    }

    EmbeddedZooKeeper zooKeeper() {
        return zooKeeper;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (Member m : members.values()) {
            if (m.api != null) {
                m.api.close();
            }
            if (m.agent != null) {
                m.agent.close();
            }
        }
        for (Member m : members.values()) {
            stopPostgres(m);
            m.dcsLink.close();
        }
        synchronized (this) {
            if (directDcs != null) {
                directDcs.close();
            }
        }
        zooKeeper.close();
    }

    private void stopPostgres(Member m) {
        Path pidFile = dir.resolve(m.name).resolve("data").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = postmasterPid(m);
        try {
            // SIGINT: PostgreSQL's fast shutdown.
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Await.until("postmaster of " + m.name + " stopped", Duration.ofSeconds(30), () -> !Processes.isRunning(pid));
    }
}
