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
import io.pgherd.postgres.ServerUser;
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
        try (ClusterDirectory.Lock lock = directory.lock()) {
            if (directory.exists()) {
                LocalState state = directory.read();
                cluster = directory.cluster(state, Optional.ofNullable(pgBin));
                if (cluster.isRunning()) {
                    out.println("pgherd: the cluster in " + directory.path() + " is already running; nothing changed.");
                    printNodes(out, cluster, state.postgresVersion(), directory);
                    return 0;
                }
                long recordedReplicas = cluster.layout().nodes().stream().filter(n -> n.role() == NodeRole.REPLICA).count();
                if (spec.commandLine().getParseResult().hasMatchedOption("--replicas") && recordedReplicas != replicas) {
                    out.println("pgherd: reusing the existing cluster with " + recordedReplicas + " read replicas (--replicas "
                            + replicas + " applies to a new cluster only)");
                }
            } else {
                cluster = create(directory);
            }
            try {
                cluster.start(timeout);
            } catch (RuntimeException e) {
                stopQuietly(cluster, e);
                throw e;
            }
        }
        printNodes(out, cluster, directory.read().postgresVersion(), directory);
        if (detach) {
            return 0;
        }
        return runInForeground(out, cluster, directory);
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
        directory.write(LocalState.of(binaries.binDir().toString(), binaries.version(), layout.nodes()));
        return LocalCluster.of(layout, binaries, ServerUser.detect());
    }

    private int runInForeground(PrintWriter out, LocalCluster cluster, ClusterDirectory directory) throws InterruptedException {
        directory.writePid(ProcessHandle.current().pid());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.stop(Duration.ofSeconds(60));
                directory.clearPid();
                System.err.println("pgherd: stopped the cluster in " + directory.path());
            } finally {
                stopped.countDown();
            }
        }, "pgherd-up-shutdown"));
        out.println("Running in the foreground; press Ctrl-C to stop every server.");
        out.flush();
        stopped.await();
        return 0;
    }

    static void printNodes(PrintWriter out, LocalCluster cluster, String version, ClusterDirectory directory) {
        out.println("pgherd: local cluster in " + directory.path() + " (PostgreSQL " + version + ")");
        for (PostgresNode node : cluster.nodes()) {
            out.printf("  %-8s %-8s 127.0.0.1:%d%n", node.name(), cluster.role(node).label(), node.port());
        }
        Path passwordFile = directory.path().resolve(Credentials.SUPERUSER_PASSWORD_FILE);
        out.println("Connect as superuser " + LocalCluster.SUPERUSER + " (password in " + passwordFile + "), e.g. to the primary:");
        out.println("  PGPASSWORD=$(cat " + passwordFile + ") psql -h 127.0.0.1 -p " + cluster.primary().port() + " -U "
                + LocalCluster.SUPERUSER + " postgres");
        String dirOption = " --dir " + directory.path();
        out.println("'pgherd status" + dirOption + " --json' gives each node's connection URI; 'pgherd down" + dirOption
                + "' stops the cluster.");
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
