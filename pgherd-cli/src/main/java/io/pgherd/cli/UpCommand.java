package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import io.pgherd.cluster.Assignment;
import io.pgherd.postgres.ClusterLayout;
import io.pgherd.postgres.ControlFile;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.NodeRole;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.SecureFiles;
import io.pgherd.postgres.ServerUser;
import io.pgherd.proxy.ProxyServer;
import io.pgherd.proxy.config.ProxyConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd up}: creates or reuses a local cluster and starts it. */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create (or reuse) a local cluster under DIR and start it: one primary, one standby (the"
                + " failover candidate) and N read replicas, all streaming from the primary, each run by its own HA"
                + " agent process; an embedded ZooKeeper (or the etcd/ZooKeeper given with --dcs) holds the leader key;"
                + " the proxy (or --proxies N of them) in front.",
                "Without --detach it stays in the foreground and stops everything on Ctrl-C."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR",
            description = "Cluster directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--replicas", defaultValue = "2", paramLabel = "N",
            description = "Read replicas besides the standby, for a new cluster (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--base-port", defaultValue = "15432", paramLabel = "P",
            description = "Nodes take consecutive free ports from P, for a new cluster (default: ${DEFAULT-VALUE}). Given,"
                    + " the first node listens on P or up refuses to start; the default moves to the next free port.")
    int basePort;

    @Option(names = "--proxy-port", defaultValue = "6432", paramLabel = "P",
            description = "Port of the proxy (pooling, admin console; proxy1 with --proxies) for a new cluster. Given, it"
                    + " is used or up refuses to start (naming the process that holds it); the default moves to the next"
                    + " free one if taken (default: ${DEFAULT-VALUE}).")
    int proxyPort;

    @Option(names = "--metrics-port", defaultValue = "9930", paramLabel = "P",
            description = "Port of the proxy's (proxy1's) Prometheus endpoint for a new cluster. Given, it is used or"
                    + " refused; the default moves to the next free one if taken (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--proxies", defaultValue = "1", paramLabel = "N",
            description = "Proxies to run, 1..9, named proxy1..proxyN in the DCS; proxy K>1 listens on the next free port"
                    + " after proxy K-1's (its metrics likewise). On an existing cluster a larger N adds proxies"
                    + " (default: ${DEFAULT-VALUE}).")
    int proxies;

    @Option(names = "--controllers", defaultValue = "1", paramLabel = "N",
            description = "Controllers to run, 0..9, named c1..cN, each its own process (configuration, PID and log in"
                    + " DIR/controllers/); one acts, another takes over when it dies. On an existing cluster a larger N"
                    + " adds controllers (default: ${DEFAULT-VALUE}).")
    int controllers;

    @Option(names = "--dcs", paramLabel = "URL", description = "Use this DCS instead of an embedded ZooKeeper, for a new"
            + " cluster: etcd://host:port[,...] or zookeeper://host:port[,...].")
    String dcs;

    @Option(names = "--cluster", defaultValue = "pgherd", paramLabel = "NAME",
            description = "The cluster's name in the DCS, for a new cluster (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--zookeeper-port", defaultValue = "2181", paramLabel = "P",
            description = "Port of the embedded ZooKeeper for a new cluster. Given, it is used or refused; the default"
                    + " moves to the next free one if taken (default: ${DEFAULT-VALUE}).")
    int zooKeeperPort;

    @Option(names = "--api-port", defaultValue = "8008", paramLabel = "P",
            description = "The agents' REST APIs take consecutive free ports from P, for a new cluster (default:"
                    + " ${DEFAULT-VALUE}). Given, the first agent's API listens on P or up refuses to start; the default"
                    + " moves to the next free port.")
    int apiPort;

    @Option(names = "--node-port", paramLabel = "NODE=PORT", description = "Move a node of an existing, stopped cluster to"
            + " PORT (repeatable): its PostgreSQL, its agent's member record in the DCS and the proxies use the new port"
            + " from this start on. PORT must be free.")
    Map<String, Integer> nodePorts;

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
        Optional<Supervisors.Running> supervisor;
        try (ClusterDirectory.Lock lock = directory.lock()) {
            // Under the lock: an 'up' claims supervision before it lets go, so two cannot both become supervisors.
            supervisor = Supervisors.find(directory);
            if (directory.exists()) {
                state = directory.read();
                if (!state.highlyAvailable()) {
                    PortPlan plan = PortPlan.ofRecorded(state);
                    state = withAgents(state, plan);
                    plan.check();
                    directory.write(state);
                    out.println("pgherd: this cluster was made before pgherd had agents; it now runs with them");
                }
                state = withMoreProxies(out, directory, state);
                state = new NodePorts(nodePorts, Optional.ofNullable(pgBin)).apply(out, directory, state);
                new LocalControllers(directory, state).record(out, controllers, given("--controllers"), true);
                cluster = directory.cluster(state, Optional.ofNullable(pgBin));
                LocalAgents agents = new LocalAgents(directory, state, cluster);
                if (AlreadyRunning.everything(directory, state, cluster, agents)) {
                    LocalAdminToken.ensure(directory, state);
                    out.println(AlreadyRunning.say(directory, supervisor, Duration.ofSeconds(Math.min(timeoutSeconds, 60))));
                    printNodes(out, cluster, state, directory, agents.leader().orElse(""));
                    return 0;
                }
                long recordedReplicas = cluster.layout().nodes().stream().filter(n -> n.role() == NodeRole.REPLICA).count();
                if (spec.commandLine().getParseResult().hasMatchedOption("--replicas") && recordedReplicas != replicas) {
                    out.println("pgherd: reusing the existing cluster with " + recordedReplicas + " read replicas (--replicas "
                            + replicas + " applies to a new cluster only)");
                }
                StartPorts.requireFree(directory, state, cluster);
                if (state.highlyAvailable() && state.zooKeeperPort() == 0) {
                    DcsClusterCheck.refuseForeign(state.dcs(), state.cluster(), systemIdentifier(cluster), false);
                }
            } else {
                cluster = create(directory);
                state = directory.read();
                new LocalControllers(directory, state).record(out, controllers, given("--controllers"), false);
            }
            LocalControllers localControllers = new LocalControllers(directory, state);
            List<LocalProxy> proxies = LocalProxy.all(directory, state);
            LocalAgents agents = new LocalAgents(directory, state, cluster);
            try {
                cluster.credentials();
                agents.writeConfigurations();
                boolean fresh = cluster.nodes().stream().noneMatch(PostgresNode::isInitialized);
                leader = agents.start(fresh, timeout);
                startProvisioned(out, directory, agents);
                LocalProxy.writeConfigurations(directory, state, cluster, leader);
                for (LocalProxy proxy : proxies) {
                    // With a supervisor elsewhere this 'up' ends once started: its proxies must outlive it.
                    if ((detach || supervisor.isPresent()) && !proxy.isRunning()) {
                        proxy.startDetached(Duration.ofSeconds(Math.min(timeoutSeconds, 60)));
                    }
                }
                LocalAdminToken.ensure(directory, state);
                // Last, on a healthy cluster: a controller acts at once on what it finds.
                localControllers.startMissing();
                if (supervisor.isEmpty() && detach) {
                    Supervisors.startBackground(directory, Duration.ofSeconds(Math.min(timeoutSeconds, 60)));
                } else if (supervisor.isEmpty()) {
                    directory.writePid(ProcessHandle.current().pid());
                }
            } catch (RuntimeException e) {
                localControllers.stop(Duration.ofSeconds(10));
                proxies.forEach(proxy -> proxy.stop(Duration.ofSeconds(10)));
                stopQuietly(agents, e);
                throw e;
            }
        }
        if (detach || supervisor.isPresent()) {
            printNodes(out, cluster, state, directory, leader);
            out.println("pgherd: supervised by " + supervisor.map(Supervisors.Running::describe)
                    .orElseGet(() -> "the background supervisor (log " + Supervisors.background(directory).logFile() + ")")
                    + ": it restarts a process that exits.");
            out.flush();
            return 0;
        }
        return runInForeground(out, cluster, state, directory, leader);
    }

    private LocalCluster create(ClusterDirectory directory) {
        if (nodePorts != null && !nodePorts.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--node-port moves a node of an existing cluster;"
                    + " there is none in " + directory.path() + " (a new cluster takes --base-port)");
        }
        PgBinaries binaries = PgBinaries.find(Optional.ofNullable(pgBin));
        int count = 2 + replicas;
        PortPlan plan = PortPlan.onThisMachine();
        for (String option : List.of("--base-port", "--proxy-port", "--metrics-port", "--zookeeper-port", "--api-port")) {
            if (given(option)) {
                plan.reserve(spec.commandLine().getParseResult().matchedOptionValue(option, 0));
            }
        }
        List<Integer> ports = sequence(plan, basePort, "--base-port", count, i -> "PostgreSQL of node" + (i + 1));
        ClusterLayout layout = ClusterLayout.standard(directory.path(), true, replicas, ports, Map.of());
        List<LocalState.Node> nodes = layout.nodes().stream()
                .map(n -> new LocalState.Node(n.name(), n.role().label(), n.port(), 0)).toList();
        LocalState state = new LocalState(binaries.binDir().toString(), binaries.version(), nodes, 0, 0, null, clusterName, 0,
                List.of());
        LocalState planned = withAgents(withProxyPorts(state, plan), plan);
        plan.check();
        if (dcs != null) {
            DcsClusterCheck.refuseForeign(dcs, clusterName, Optional.empty(), true);
        }
        directory.write(planned);
        return LocalCluster.of(layout, binaries, ServerUser.detect());
    }

    /**
     * The state with --proxies proxies, each with free ports for clients and metrics: the first from
     * --proxy-port and --metrics-port, each next one from just after its predecessor's.
     */
    private LocalState withProxyPorts(LocalState state, PortPlan plan) {
        return state.withProxies(addProxies(List.of(), proxies, plan));
    }

    /**
     * {@code existing} followed by new proxies up to {@code count}, on ports claimed in {@code plan}: the first
     * proxy's exactly --proxy-port and --metrics-port when given, every other one the next free port.
     */
    private List<LocalState.Proxy> addProxies(List<LocalState.Proxy> existing, int count, PortPlan plan) {
        List<LocalState.Proxy> out = new ArrayList<>(existing);
        int nextPort = existing.isEmpty() ? proxyPort : existing.get(existing.size() - 1).port() + 1;
        int nextMetrics = existing.isEmpty() ? metricsPort : existing.get(existing.size() - 1).metricsPort() + 1;
        while (out.size() < count) {
            boolean first = out.isEmpty();
            String name = LocalState.Proxy.name(out.size() + 1);
            int port = plan.claim(nextPort, first && given("--proxy-port"), "--proxy-port", "the clients of " + name);
            int metrics = plan.claim(nextMetrics, first && given("--metrics-port"), "--metrics-port", "the metrics of " + name);
            out.add(new LocalState.Proxy(name, port, metrics));
            nextPort = port + 1;
            nextMetrics = metrics + 1;
        }
        return out;
    }

    /**
     * An existing cluster's state with the proxies --proxies asks for beyond those recorded (written
     * to the directory); fewer than recorded changes nothing.
     */
    private LocalState withMoreProxies(PrintWriter out, ClusterDirectory directory, LocalState state) {
        int recorded = state.proxies().size();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--proxies") || proxies == recorded) {
            return state;
        }
        if (proxies < recorded) {
            out.println("pgherd: keeping the cluster's " + recorded + " proxies (--proxies " + proxies
                    + " does not remove any)");
            return state;
        }
        PortPlan plan = new LocalControllers(directory, state).recordMetricsPorts(PortPlan.ofRecorded(state));
        LocalState more = state.withProxies(addProxies(state.proxies(), proxies, plan));
        plan.check();
        directory.write(more);
        out.println("pgherd: adding " + more.proxies().subList(recorded, proxies).stream().map(LocalState.Proxy::name)
                .collect(Collectors.joining(", ")) + " to the cluster");
        return more;
    }

    /**
     * The state with the DCS (an embedded ZooKeeper, unless --dcs) and a port for each agent's API, claimed in
     * {@code plan}.
     */
    private LocalState withAgents(LocalState state, PortPlan plan) {
        int zk = 0;
        String address = dcs;
        if (address == null) {
            zk = plan.claim(zooKeeperPort, given("--zookeeper-port"), "--zookeeper-port", "the embedded ZooKeeper");
            address = "zookeeper://127.0.0.1:" + zk;
        }
        List<Integer> apis = sequence(plan, apiPort, "--api-port", state.nodes().size(),
                i -> "the REST API of the agent of " + state.nodes().get(i).name());
        List<LocalState.Node> nodes = new ArrayList<>();
        for (int i = 0; i < state.nodes().size(); i++) {
            LocalState.Node node = state.nodes().get(i);
            nodes.add(new LocalState.Node(node.name(), node.role(), node.port(), apis.get(i)));
        }
        String name = state.cluster() == null ? clusterName : state.cluster();
        return new LocalState(state.pgBin(), state.postgresVersion(), nodes, state.proxyPort(), state.metricsPort(), address,
                name, zk, state.proxies());
    }

    /**
     * Starts the agents of the read replicas the controller made with the local provisioner (stopped by {@code
     * down}), except those it marked draining: it is removing them.
     */
    private static void startProvisioned(PrintWriter out, ClusterDirectory directory, LocalAgents agents) {
        if (LocalProvisioner.recorded(directory).isEmpty()) {
            return;
        }
        Set<String> draining = agents.clusterSnapshot().assignments().values().stream()
                .filter(Assignment::draining).map(Assignment::member)
                .collect(Collectors.toSet());
        List<String> started = LocalProvisioner.startAll(directory, draining);
        if (!started.isEmpty()) {
            out.println("pgherd: started the read replicas the controller added: " + String.join(", ", started));
        }
    }

    /** Whether {@code option} was given on the command line (an explicit request: used or refused, never moved). */
    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * {@code count} ports claimed in {@code plan} for consecutive parts: the first from {@code from} (exactly,
     * when {@code option} was given), each next one the first free port after its predecessor's.
     */
    private List<Integer> sequence(PortPlan plan, int from, String option, int count, IntFunction<String> what) {
        List<Integer> out = new ArrayList<>();
        int next = from;
        for (int i = 0; i < count; i++) {
            int port = plan.claim(next, i == 0 && given(option), option, what.apply(i));
            out.add(port);
            next = port + 1;
        }
        return out;
    }

    /** The database system identifier of the cluster's data (any node's: they are clones), if any node has data. */
    private static Optional<String> systemIdentifier(LocalCluster cluster) {
        return cluster.nodes().stream().filter(PostgresNode::isInitialized)
                .map(node -> ControlFile.systemIdentifier(node.dataDir())).flatMap(Optional::stream).findFirst();
    }

    private int runInForeground(PrintWriter out, LocalCluster cluster, LocalState state, ClusterDirectory directory,
                                String leader) throws InterruptedException {
        List<LocalProxy> proxies = LocalProxy.all(directory, state);
        // This process hosts every proxy that does not run already (one left running by a detached 'up').
        List<LocalProxy> hosted = proxies.stream().filter(proxy -> !proxy.isRunning()).toList();
        List<ProxyServer> servers = new ArrayList<>();
        try {
            for (LocalProxy proxy : hosted) {
                servers.add(ProxyServer.start(ProxyConfig.load(proxy.configFile()), 0));
            }
        } catch (RuntimeException e) {
            servers.forEach(ProxyServer::close);
            stopQuietly(new LocalAgents(directory, state, cluster), e);
            throw e;
        }
        long pid = ProcessHandle.current().pid();
        directory.writePid(pid);
        // Each hosted proxy's PID file names this process, so status sees it and down stops it.
        for (LocalProxy proxy : hosted) {
            SecureFiles.write(proxy.daemon().pidFile(), pid + "\n", null);
        }
        // It restarts what exits and tells what the agents decide, until Ctrl-C; stopped first then, so it
        // restarts nothing that is being stopped.
        Supervisor supervisor = Supervisor.start(directory, out, false);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                supervisor.close();
                // The controllers first, as 'down' does: none acts on a cluster that is stopping.
                new LocalControllers(directory, state).stop(Duration.ofSeconds(30));
                servers.forEach(ProxyServer::close);
                // The proxies first, as 'down' does; a hosted one's PID file is only removed.
                proxies.forEach(LocalProxy::signalStop);
                proxies.forEach(proxy -> proxy.stop(Duration.ofSeconds(10)));
                new LocalAgents(directory, state, cluster).shutdown(Duration.ofSeconds(60));
                directory.clearPid();
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
        for (LocalState.Proxy proxy : state.proxies()) {
            out.printf("  %-8s %-8s 127.0.0.1:%d   (admin console: database pgherd; metrics: http://127.0.0.1:%d/metrics)%n",
                    label(state, proxy), "pooler", proxy.port(), proxy.metricsPort());
        }
        LocalControllers controllers = new LocalControllers(directory, state);
        for (String name : controllers.names()) {
            int metrics = controllers.metricsPort(name);
            out.printf("  %-8s %-8s pid %s   (log %s%s)%n", name, "control", controllers.daemon(name).pid().stream()
                    .mapToObj(Long::toString).findFirst().orElse("-"), controllers.daemon(name).logFile(),
                    metrics > 0 ? "; metrics: http://127.0.0.1:" + metrics + "/metrics" : "");
        }
        Path passwordFile = directory.path().resolve(Credentials.SUPERUSER_PASSWORD_FILE);
        out.println("Connect through the proxy as superuser " + LocalCluster.SUPERUSER + " (password in " + passwordFile + "):");
        out.println("  PGPASSWORD=$(cat " + passwordFile + ") psql -h 127.0.0.1 -p " + state.proxyPort() + " -U "
                + LocalCluster.SUPERUSER + " postgres");
        out.println("The cluster API's admin token is in " + LocalAdminToken.file(directory) + " (mode 0600).");
        String dirOption = " --dir " + directory.path();
        String pgherd = Main.command();
        out.println("'" + pgherd + " status" + dirOption + " --json' gives every connection URI; '" + pgherd + " down" + dirOption
                + "' stops everything.");
        out.flush();
    }

    /** How a proxy is shown in tables: {@code proxy} when it is the only one (as before there could be several), else its name. */
    static String label(LocalState state, LocalState.Proxy proxy) {
        return state.proxies().size() == 1 ? "proxy" : proxy.name();
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (replicas < 0 || replicas > 16) {
            problems.add("--replicas must be 0..16 (got " + replicas + ")");
        }
        if (controllers < 0 || controllers > 9) {
            problems.add("--controllers must be 0..9 (got " + controllers + ")");
        }
        if (proxies < 1 || proxies > 9) {
            problems.add("--proxies must be 1..9 (got " + proxies + ")");
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
        if (nodePorts != null) {
            nodePorts.forEach((node, port) -> {
                if (port < 1024 || port > 65000) {
                    problems.add("--node-port " + node + " must be 1024..65000 (got " + port + ")");
                }
            });
        }
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
