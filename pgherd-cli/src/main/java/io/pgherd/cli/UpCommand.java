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
                + " failover candidate) and N read replicas, all streaming from the primary.",
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
        try (ClusterDirectory.Lock lock = directory.lock()) {
            if (directory.exists()) {
                state = directory.read();
                cluster = directory.cluster(state, Optional.ofNullable(pgBin));
                if (cluster.isRunning() && new LocalProxy(directory, state).isRunning()) {
                    out.println("pgherd: the cluster in " + directory.path() + " is already running; nothing changed.");
                    printNodes(out, cluster, state, directory);
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
            try {
                cluster.start(timeout);
                proxy.writeConfiguration(cluster);
                if (detach && !proxy.isRunning()) {
                    proxy.startDetached(Duration.ofSeconds(Math.min(timeoutSeconds, 60)));
                }
            } catch (RuntimeException e) {
                proxy.stop(Duration.ofSeconds(10));
                stopQuietly(cluster, e);
                throw e;
            }
        }
        if (detach) {
            printNodes(out, cluster, state, directory);
            return 0;
        }
        return runInForeground(out, cluster, state, directory);
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
        directory.write(withProxyPorts(LocalState.of(binaries.binDir().toString(), binaries.version(), layout.nodes(), 0, 0),
                taken));
        return LocalCluster.of(layout, binaries, ServerUser.detect());
    }

    /** The state with free ports for the proxy and its metrics, from --proxy-port and --metrics-port. */
    private LocalState withProxyPorts(LocalState state, Set<Integer> taken) {
        Set<Integer> used = new HashSet<>(taken);
        int proxy = Ports.nextFree(proxyPort, used);
        used.add(proxy);
        int metrics = Ports.nextFree(metricsPort, used);
        return new LocalState(state.pgBin(), state.postgresVersion(), state.nodes(), proxy, metrics);
    }

    private int runInForeground(PrintWriter out, LocalCluster cluster, LocalState state, ClusterDirectory directory)
            throws InterruptedException {
        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(ProxyConfig.load(new LocalProxy(directory, state).configFile()), 0);
        } catch (RuntimeException e) {
            stopQuietly(cluster, e);
            throw e;
        }
        long pid = ProcessHandle.current().pid();
        directory.writePid(pid);
        SecureFiles.write(directory.path().resolve(LocalProxy.PID_FILE), pid + "\n", null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.close();
                cluster.stop(Duration.ofSeconds(60));
                directory.clearPid();
                new LocalProxy(directory, state).stop(Duration.ofSeconds(1));
                System.err.println("pgherd: stopped the cluster in " + directory.path());
            } finally {
                stopped.countDown();
            }
        }, "pgherd-up-shutdown"));
        printNodes(out, cluster, state, directory);
        out.println("Running in the foreground; press Ctrl-C to stop every server.");
        out.flush();
        stopped.await();
        return 0;
    }

    static void printNodes(PrintWriter out, LocalCluster cluster, LocalState state, ClusterDirectory directory) {
        out.println("pgherd: local cluster in " + directory.path() + " (PostgreSQL " + state.postgresVersion() + ")");
        for (PostgresNode node : cluster.nodes()) {
            out.printf("  %-8s %-8s 127.0.0.1:%d%n", node.name(), cluster.role(node).label(), node.port());
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
        for (int[] port : new int[][] {{proxyPort, 0}, {metricsPort, 1}}) {
            if (port[0] < 1024 || port[0] > 65000) {
                problems.add((port[1] == 0 ? "--proxy-port" : "--metrics-port") + " must be 1024..65000 (got " + port[0] + ")");
            }
        }
        if (timeoutSeconds < 1) {
            problems.add("--timeout must be >= 1 second (got " + timeoutSeconds + ")");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private static void stopQuietly(LocalCluster cluster, RuntimeException cause) {
        try {
            cluster.stop(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
