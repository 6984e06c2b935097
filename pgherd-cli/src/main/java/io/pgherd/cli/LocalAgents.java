package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Deadline;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.SecureFiles;

/**
 * The HA side of a local cluster: the embedded ZooKeeper (unless the cluster uses an external DCS)
 * and one agent per node, each its own background process of this jar, with their configuration,
 * PID and log under {@code <dir>/agents/} and the ZooKeeper data under {@code <dir>/zookeeper/}.
 * The agents bring PostgreSQL up themselves: the first initializes, the others clone from it.
 */
final class LocalAgents {
    static final String AGENTS_DIR = "agents";
    static final String ZOOKEEPER_DIR = "zookeeper";
    /** The REST APIs' read-only user and its password file in DIR (see {@link #writeConfigurations()}). */
    static final String MONITOR_USER = "monitor";
    static final String MONITOR_PASSWORD_FILE = "monitor.password";
    private static final Duration DAEMON_START = Duration.ofSeconds(60);

    private final ClusterDirectory directory;
    private final LocalState state;
    private final LocalCluster cluster;

    LocalAgents(ClusterDirectory directory, LocalState state, LocalCluster cluster) {
        this.directory = directory;
        this.state = state;
        this.cluster = cluster;
        HaCommand.quietDcsClients();
    }

    Path agentsDir() {
        return directory.path().resolve(AGENTS_DIR);
    }

    Path configFile(String node) {
        return agentsDir().resolve(node + ".yml");
    }

    Daemon agent(LocalState.Node node) {
        return new Daemon("the agent of " + node.name(), agentsDir().resolve(node.name() + ".pid"),
                agentsDir().resolve(node.name() + ".log"), node.apiPort());
    }

    Optional<Daemon> zooKeeper() {
        if (state.zooKeeperPort() == 0) {
            return Optional.empty();
        }
        return Optional.of(new Daemon("ZooKeeper", directory.path().resolve(ZOOKEEPER_DIR + ".pid"),
                directory.path().resolve(ZOOKEEPER_DIR + ".log"), state.zooKeeperPort()));
    }

    /** Writes each node's agent configuration ({@code agents/<node>.yml}). */
    void writeConfigurations() {
        for (LocalState.Node node : state.nodes()) {
            writeConfiguration(node);
        }
    }

    /**
     * Writes {@code node}'s agent configuration ({@code agents/<node>.yml}): its PostgreSQL under
     * {@code DIR/<node>}, a read replica (nofailover) when its role is {@code replica}, else a standby that
     * may take over. Also for a node the local provisioner adds, which is in no {@link LocalState}.
     */
    void writeConfiguration(LocalState.Node node) {
        try {
            Files.createDirectories(agentsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + agentsDir(), e);
        }
        Path monitorPassword = monitorPasswordFile();
        String yaml = "# Written by 'pgherd up': the HA agent of " + node.name() + ".\n"
                + "agent:\n"
                + "  cluster: " + state.cluster() + "\n"
                + "  name: " + node.name() + "\n"
                + "  dcs: " + state.dcs() + "\n"
                + "  role: " + ("replica".equals(node.role()) ? "replica" : "standby") + "\n"
                + "  postgres:\n"
                + "    dir: " + directory.path().resolve(node.name()) + "\n"
                + "    port: " + node.port() + "\n"
                + "    bin_dir: " + state.pgBin() + "\n"
                + "    credentials_dir: " + directory.path() + "\n"
                + "  api:\n"
                + "    listen: 127.0.0.1:" + node.apiPort() + "\n"
                + "    readonly_user: " + MONITOR_USER + "\n"
                + "    readonly_password_file: " + monitorPassword + "\n";
        SecureFiles.write(configFile(node.name()), yaml, null);
    }

    /**
     * {@code DIR/monitor.password} (0600), made once with a random password: the REST APIs' read-only user
     * {@value #MONITOR_USER}, for monitoring that must not be able to write.
     */
    private Path monitorPasswordFile() {
        Path file = directory.path().resolve(MONITOR_PASSWORD_FILE);
        if (!Files.exists(file)) {
            SecureFiles.write(file, Credentials.randomPassword() + "\n", null);
        }
        return file;
    }

    /**
     * Starts ZooKeeper and every agent that does not run, and waits until the cluster is healthy.
     * In a new cluster the first node's agent starts alone, so it is the one that initializes it
     * and leads; the others then clone from it.
     *
     * @return the leader
     */
    String start(boolean fresh, Duration timeout) {
        startZooKeeper();
        List<LocalState.Node> nodes = state.nodes();
        if (fresh) {
            startAgent(nodes.get(0));
            awaitLeader(nodes.get(0).name(), timeout);
        }
        for (LocalState.Node node : nodes) {
            startAgent(node);
        }
        return awaitHealthy(timeout);
    }

    /** Starts the embedded ZooKeeper unless it runs (or the cluster uses an external DCS). */
    void startZooKeeper() {
        zooKeeper().filter(zk -> !zk.isRunning()).ifPresent(zk -> zk.start(JvmOptions.of(JvmOptions.Kind.ZOOKEEPER),
                List.of("zookeeper", "--dir", directory.path().resolve(ZOOKEEPER_DIR).toString(), "--port",
                        Integer.toString(state.zooKeeperPort())), DAEMON_START));
    }

    /** Starts {@code node}'s agent unless it runs, and waits until its REST API accepts connections. */
    void startAgent(LocalState.Node node) {
        Daemon agent = agent(node);
        if (!agent.isRunning()) {
            agent.start(JvmOptions.of(JvmOptions.Kind.AGENT), List.of("agent", "--config", configFile(node.name()).toString()),
                    DAEMON_START);
        }
    }

    /** As {@link #startAgent(LocalState.Node)}, the agent run from {@code classPath} (see {@link Daemon#start}). */
    void startAgent(LocalState.Node node, String classPath) {
        Daemon agent = agent(node);
        if (!agent.isRunning()) {
            agent.start(JvmOptions.of(JvmOptions.Kind.AGENT), List.of("agent", "--config", configFile(node.name()).toString()),
                    DAEMON_START, classPath);
        }
    }

    private void awaitLeader(String name, Duration timeout) {
        PostgresNode node = cluster.node(name);
        boolean led;
        try (Dcs dcs = connect()) {
            led = Deadline.await(timeout, () -> leader(dcs).filter(name::equals).isPresent() && writable(node));
        }
        if (!led) {
            throw new PostgresException(name + " did not initialize the cluster within " + timeout.toSeconds()
                    + " s; end of its agent's log:\n" + agent(recorded(name)).tail());
        }
    }

    /**
     * Waits until one member holds the leader key and takes writes and every other node streams
     * from it.
     *
     * @return the leader
     */
    String awaitHealthy(Duration timeout) {
        String[] leader = new String[1];
        boolean healthy;
        try (Dcs dcs = connect()) {
            healthy = Deadline.await(timeout, () -> {
                Optional<String> l = leader(dcs);
                if (l.isEmpty() || !writable(cluster.node(l.get()))) {
                    return false;
                }
                int port = cluster.node(l.get()).port();
                for (PostgresNode node : cluster.nodes()) {
                    if (!node.name().equals(l.get()) && !cluster.streamingFrom(node, port)) {
                        return false;
                    }
                }
                leader[0] = l.get();
                return true;
            });
        }
        if (!healthy) {
            StringBuilder logs = new StringBuilder();
            for (LocalState.Node node : state.nodes()) {
                logs.append("\nend of the agent log of ").append(node.name()).append(":\n").append(agent(node).tail());
            }
            throw new PostgresException("the cluster did not become healthy (a leader taking writes, every other node"
                    + " streaming from it) within " + timeout.toSeconds() + " s" + logs);
        }
        return leader[0];
    }

    /** Who holds the leader key, if the DCS answers and anyone does. */
    Optional<String> leader() {
        if (!state.highlyAvailable()) {
            return Optional.empty();
        }
        try (Dcs dcs = connect()) {
            return leader(dcs);
        } catch (DcsException e) {
            return Optional.empty();
        }
    }

    private Optional<String> leader(Dcs dcs) {
        try {
            return snapshot(dcs).leader().map(ClusterState.Leader::member);
        } catch (DcsException e) {
            return Optional.empty();
        }
    }

    /** The cluster as the DCS shows it now. */
    ClusterState snapshot() {
        try (Dcs dcs = connect()) {
            return snapshot(dcs);
        }
    }

    /** Everything under the cluster's prefix in the DCS now, as read once. */
    ClusterSnapshot clusterSnapshot() {
        try (Dcs dcs = connect()) {
            return new ClusterStore(dcs, state.cluster()).read();
        }
    }

    private ClusterState snapshot(Dcs dcs) {
        return ClusterState.of(new ClusterStore(dcs, state.cluster()).read());
    }

    /**
     * A client of the cluster's DCS, for one command's checks (closed by the caller). Its calls may take the agents'
     * default retry_timeout and more: a new client's first call also opens the connection (etcd: a gRPC channel), which
     * a busy host stretched past 2 s, and {@code status} then reported no leader.
     */
    private Dcs connect() {
        return Dcs.connect(DcsAddress.parse(state.dcs()), Duration.ofSeconds(5));
    }

    /** Whether {@code node} answers and is not in recovery. */
    private boolean writable(PostgresNode node) {
        return Boolean.FALSE.equals(cluster.inRecovery(node).orElse(null));
    }

    /**
     * Stops every agent (the followers' first, so none of them takes over from the leader while it
     * stops), then ZooKeeper when {@code withZooKeeper}; PostgreSQL is left to the caller.
     */
    void stop(boolean withZooKeeper, Duration timeout) {
        Optional<String> leader = leader();
        List<Daemon> followers = new ArrayList<>();
        List<Daemon> leaders = new ArrayList<>();
        for (LocalState.Node node : state.nodes()) {
            (leader.filter(node.name()::equals).isPresent() ? leaders : followers).add(agent(node));
        }
        stopAll(followers, timeout);
        stopAll(leaders, timeout);
        if (withZooKeeper) {
            zooKeeper().ifPresent(zk -> zk.stop(timeout));
        }
    }

    /** Stops the agents, then PostgreSQL on every node, then ZooKeeper: the whole cluster, data kept. */
    void shutdown(Duration timeout) {
        RuntimeException failure = null;
        try {
            stop(false, timeout);
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            cluster.stop(timeout);
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        try {
            zooKeeper().ifPresent(zk -> zk.stop(timeout));
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether ZooKeeper (if embedded) and every agent run. */
    boolean isRunning() {
        return zooKeeper().map(Daemon::isRunning).orElse(true) && state.nodes().stream().allMatch(n -> agent(n).isRunning());
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void stopAll(List<Daemon> daemons, Duration timeout) {
        daemons.forEach(Daemon::signalStop);
        daemons.forEach(d -> d.stop(timeout));
    }

    private LocalState.Node recorded(String name) {
        return state.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
