package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.pgherd.postgres.ClusterLayout;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.NodeRole;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.Ports;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.SecureFiles;
import io.pgherd.postgres.ServerUser;
import io.pgherd.proxy.ProxyConfig;
import io.pgherd.proxy.ProxyServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd up}: creates or reuses a local cluster and starts it. */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create (or reuse) a local cluster under DIR and start it: one primary, one standby (the"
                + " failover candidate) and N read replicas, all streaming from the primary, each run by its own HA"
                + " agent process; an embedded ZooKeeper (or the etcd/ZooKeeper given with --dcs) holds the leader key;"
                + " the proxy in front.",
                "Without --detach it stays in the foreground and stops everything on Ctrl-C."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR",
            description = "Cluster directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--replicas", defaultValue = "2", paramLabel = "N",
            description = "Read replicas besides the standby, for a new cluster (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--base-port", defaultValue = "15432", paramLabel = "P",
            description = "Nodes take consecutive free ports from P, for a new cluster (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--proxy-port", defaultValue = "6432", paramLabel = "P",
            description = "Port of the proxy (pooling, admin console) for a new cluster; the next free one if taken"
                    + " (default: ${DEFAULT-VALUE}).")
    int proxyPort;

    @Option(names = "--metrics-port", defaultValue = "9930", paramLabel = "P",
            description = "Port of the proxy's Prometheus endpoint for a new cluster; the next free one if taken"
                    + " (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--dcs", paramLabel = "URL", description = "Use this DCS instead of an embedded ZooKeeper, for a new"
            + " cluster: etcd://host:port[,...] or zookeeper://host:port[,...].")
    String dcs;

    @Option(names = "--cluster", defaultValue = "pgherd", paramLabel = "NAME",
            description = "The cluster's name in the DCS, for a new cluster (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--zookeeper-port", defaultValue = "2181", paramLabel = "P",
            description = "Port of the embedded ZooKeeper for a new cluster; the next free one if taken (default: ${DEFAULT-VALUE}).")
    int zooKeeperPort;

    @Option(names = "--api-port", defaultValue = "8008", paramLabel = "P",
            description = "The agents' REST APIs take consecutive free ports from P, for a new cluster (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--detach", description = "Start the servers and return instead of staying in the foreground.")
    boolean detach;

    @Option(names = "--pg-bin", paramLabel = "DIR", description = "Directory of the PostgreSQL server binaries"
            + " (default: PATH, pg_config --bindir, then the newest /usr/lib/postgresql/*/bin).")
    Path pgBin;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long each server may take to start or catch up (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        ClusterDirectory directory = new ClusterDirectory(dir);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        LocalCluster cluster;
        LocalState state;
        String leader;
        try (ClusterDirectory.Lock lock = directory.lock()) {
            if (directory.exists()) {
                state = directory.read();
                if (!state.highlyAvailable()) {
                    state = withAgents(state, new HashSet<>(state.nodes().stream().map(LocalState.Node::port).toList()));
                    directory.write(state);
                    out.println("pgherd: this cluster was made before pgherd had agents; it now runs with them");
                }
                cluster = directory.cluster(state, Optional.ofNullable(pgBin));
                LocalAgents agents = new LocalAgents(directory, state, cluster);
                if (agents.isRunning() && cluster.isRunning() && new LocalProxy(directory, state).isRunning()) {
                    out.println("pgherd: the cluster in " + directory.path() + " is already running; nothing changed.");
                    printNodes(out, cluster, state, directory, agents.leader().orElse(""));
                    return 0;
                }
                long recordedReplicas = cluster.layout().nodes().stream().filter(n -> n.role() == NodeRole.REPLICA).count();
                if (spec.commandLine().getParseResult().hasMatchedOption("--replicas") && recordedReplicas != replicas) {
                    out.println("pgherd: reusing the existing cluster with " + recordedReplicas + " read replicas (--replicas "
                            + replicas + " applies to a new cluster only)");
                }
            } else {
                cluster = create(directory);
                state = directory.read();
            }
            LocalProxy proxy = new LocalProxy(directory, state);
            LocalAgents agents = new LocalAgents(directory, state, cluster);
            try {
                cluster.credentials();
                agents.writeConfigurations();
                boolean fresh = cluster.nodes().stream().noneMatch(PostgresNode::isInitialized);
                leader = agents.start(fresh, timeout);
                proxy.writeConfiguration(cluster, leader);
                if (detach && !proxy.isRunning()) {
                    proxy.startDetached(Duration.ofSeconds(Math.min(timeoutSeconds, 60)));
                }
            } catch (RuntimeException e) {
                proxy.stop(Duration.ofSeconds(10));
                stopQuietly(agents, e);
                throw e;
            }
        }
        if (detach) {
            printNodes(out, cluster, state, directory, leader);
            return 0;
        }
        return runInForeground(out, cluster, state, directory, leader);
    }

    private LocalCluster create(ClusterDirectory directory) {
        PgBinaries binaries = PgBinaries.find(Optional.ofNullable(pgBin));
        int count = 2 + replicas;
        List<Integer> ports = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        int next = basePort;
        for (int i = 0; i < count; i++) {
            int port = Ports.nextFree(next, taken);
            ports.add(port);
            taken.add(port);
            next = port + 1;
        }
        ClusterLayout layout = ClusterLayout.standard(directory.path(), true, replicas, ports, Map.of());
        List<LocalState.Node> nodes = layout.nodes().stream()
                .map(n -> new LocalState.Node(n.name(), n.role().label(), n.port(), 0)).toList();
        LocalState state = new LocalState(binaries.binDir().toString(), binaries.version(), nodes, 0, 0, null, clusterName, 0);
        directory.write(withAgents(withProxyPorts(state, taken), taken));
        return LocalCluster.of(layout, binaries, ServerUser.detect());
    }

    /** The state with free ports for the proxy and its metrics, from --proxy-port and --metrics-port. */
    private LocalState withProxyPorts(LocalState state, Set<Integer> taken) {
        int proxy = Ports.nextFree(proxyPort, taken);
        taken.add(proxy);
        int metrics = Ports.nextFree(metricsPort, taken);
        taken.add(metrics);
        return new LocalState(state.pgBin(), state.postgresVersion(), state.nodes(), proxy, metrics, state.dcs(),
                state.cluster(), state.zooKeeperPort());
    }

    /** The state with the DCS (an embedded ZooKeeper on a free port, unless --dcs) and a free port for each agent's API. */
    private LocalState withAgents(LocalState state, Set<Integer> taken) {
        taken.add(state.proxyPort());
        taken.add(state.metricsPort());
        int zk = 0;
        String address = dcs;
        if (address == null) {
            zk = Ports.nextFree(zooKeeperPort, taken);
            taken.add(zk);
            address = "zookeeper://127.0.0.1:" + zk;
        }
        List<LocalState.Node> nodes = new ArrayList<>();
        int next = apiPort;
        for (LocalState.Node node : state.nodes()) {
            int api = Ports.nextFree(next, taken);
            taken.add(api);
            next = api + 1;
            nodes.add(new LocalState.Node(node.name(), node.role(), node.port(), api));
        }
        String name = state.cluster() == null ? clusterName : state.cluster();
        return new LocalState(state.pgBin(), state.postgresVersion(), nodes, state.proxyPort(), state.metricsPort(), address,
                name, zk);
    }

    private int runInForeground(PrintWriter out, LocalCluster cluster, LocalState state, ClusterDirectory directory,
                                String leader) throws InterruptedException {
        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(ProxyConfig.load(new LocalProxy(directory, state).configFile()), 0);
        } catch (RuntimeException e) {
            stopQuietly(new LocalAgents(directory, state, cluster), e);
            throw e;
        }
        long pid = ProcessHandle.current().pid();
        directory.writePid(pid);
        SecureFiles.write(directory.path().resolve(LocalProxy.PID_FILE), pid + "\n", null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.close();
                new LocalAgents(directory, state, cluster).shutdown(Duration.ofSeconds(60));
                directory.clearPid();
                new LocalProxy(directory, state).stop(Duration.ofSeconds(1));
                System.err.println("pgherd: stopped the cluster in " + directory.path());
            } finally {
                stopped.countDown();
            }
        }, "pgherd-up-shutdown"));
        printNodes(out, cluster, state, directory, leader);
        out.println("Running in the foreground; press Ctrl-C to stop every server.");
        out.flush();
        stopped.await();
        return 0;
    }

    static void printNodes(PrintWriter out, LocalCluster cluster, LocalState state, ClusterDirectory directory, String leader) {
        out.println("pgherd: local cluster in " + directory.path() + " (PostgreSQL " + state.postgresVersion() + "), DCS "
                + state.dcs() + (state.zooKeeperPort() > 0 ? " (embedded)" : "") + ", cluster " + state.cluster());
        for (LocalState.Node node : state.nodes()) {
            out.printf("  %-8s %-8s 127.0.0.1:%d   (agent API http://127.0.0.1:%d)%n", node.name(),
                    LocalProxy.currentRole(node, leader).label(), node.port(), node.apiPort());
        }
        out.printf("  %-8s %-8s 127.0.0.1:%d   (admin console: database pgherd; metrics: http://127.0.0.1:%d/metrics)%n",
                "proxy", "pooler", state.proxyPort(), state.metricsPort());
        Path passwordFile = directory.path().resolve(Credentials.SUPERUSER_PASSWORD_FILE);
        out.println("Connect through the proxy as superuser " + LocalCluster.SUPERUSER + " (password in " + passwordFile + "):");
        out.println("  PGPASSWORD=$(cat " + passwordFile + ") psql -h 127.0.0.1 -p " + state.proxyPort() + " -U "
                + LocalCluster.SUPERUSER + " postgres");
        String dirOption = " --dir " + directory.path();
        out.println("'pgherd status" + dirOption + " --json' gives every connection URI; 'pgherd down" + dirOption
                + "' stops everything.");
        out.flush();
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (replicas < 0 || replicas > 16) {
            problems.add("--replicas must be 0..16 (got " + replicas + ")");
        }
        if (basePort < 1024 || basePort > 65000) {
            problems.add("--base-port must be 1024..65000 (got " + basePort + ")");
        }
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        ports.put("--proxy-port", proxyPort);
        ports.put("--metrics-port", metricsPort);
        ports.put("--zookeeper-port", zooKeeperPort);
        ports.put("--api-port", apiPort);
        ports.forEach((option, port) -> {
            if (port < 1024 || port > 65000) {
                problems.add(option + " must be 1024..65000 (got " + port + ")");
            }
        });
        if (dcs != null) {
            try {
                io.pgherd.dcs.DcsAddress.parse(dcs);
            } catch (IllegalArgumentException e) {
                problems.add("--dcs: " + e.getMessage());
            }
        }
        try {
            new io.pgherd.dcs.ClusterKeys(clusterName);
        } catch (IllegalArgumentException e) {
            problems.add("--cluster: " + e.getMessage());
        }
        if (timeoutSeconds < 1) {
            problems.add("--timeout must be >= 1 second (got " + timeoutSeconds + ")");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private static void stopQuietly(LocalAgents agents, RuntimeException cause) {
        try {
            agents.shutdown(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
