package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.Processes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd down}: stops everything {@code pgherd up} started for a directory. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop everything 'pgherd up' started for DIR: the supervisor (a foreground 'up' or the background one), the"
                + " controllers, the proxies, the agents (followers"
                + " first, so none takes over), PostgreSQL, then the embedded ZooKeeper. Data is kept.")
final class DownCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR", description = "Cluster directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ClusterDirectory directory = new ClusterDirectory(dir);
        LocalState state = directory.read();
        // The supervisor first, so it restarts nothing this command stops.
        OptionalLong supervisor = Supervisors.background(directory).pid();
        boolean supervised = Supervisors.stopBackground(directory, Duration.ofSeconds(90));
        if (supervised) {
            out.println("pgherd: stopped the background supervisor (pid " + supervisor.orElse(0) + ")");
        }
        LocalCluster cluster = directory.cluster(state, Optional.empty());
        if (!supervised && !anythingRuns(directory, state, cluster)) {
            out.println("pgherd: the cluster in " + directory.path() + " is not running; nothing to stop");
            return 0;
        }
        stopForegroundUp(directory, out);
        List<String> provisioned;
        List<String> controllers;
        try (ClusterDirectory.Lock lock = directory.lock()) {
            // The controllers next: none may start or remove a read replica while the cluster stops.
            controllers = new LocalControllers(directory, state).stop(Duration.ofSeconds(30));
            List<LocalProxy> proxies = LocalProxy.all(directory, state);
            proxies.forEach(LocalProxy::signalStop);
            proxies.forEach(proxy -> proxy.stop(Duration.ofSeconds(30)));
            // The read replicas the controller added first: they follow up's nodes, which stop next.
            provisioned = LocalProvisioner.stopAll(directory);
            new LocalAgents(directory, state, cluster).shutdown(Duration.ofSeconds(60));
        }
        if (!controllers.isEmpty()) {
            out.println("pgherd: stopped the controller" + (controllers.size() == 1 ? " " : "s ") + String.join(", ", controllers));
        }
        out.println("pgherd: stopped the " + (state.proxies().size() == 1 ? "proxy" : state.proxies().size() + " proxies")
                + ", the agents and " + Stream.concat(cluster.nodes().stream().map(PostgresNode::name), provisioned.stream())
                .collect(Collectors.joining(", ")) + (state.zooKeeperPort() > 0 ? ", ZooKeeper" : "")
                + " in " + directory.path() + " (data kept; '" + Main.command() + " up --dir " + directory.path() + "' starts it again)");
        return 0;
    }

    /** Whether any process of the cluster runs: a foreground 'up', a proxy, an agent, ZooKeeper or a PostgreSQL server. */
    private static boolean anythingRuns(ClusterDirectory directory, LocalState state, LocalCluster cluster) {
        LocalAgents agents = new LocalAgents(directory, state, cluster);
        return directory.pid().stream().anyMatch(Processes::isRunning)
                || LocalProxy.all(directory, state).stream().anyMatch(proxy -> proxy.daemon().isRunning())
                || state.nodes().stream().anyMatch(node -> agents.agent(node).isRunning())
                || agents.zooKeeper().map(Daemon::isRunning).orElse(false)
                || new LocalControllers(directory, state).anyRunning()
                || cluster.nodes().stream().anyMatch(PostgresNode::isRunning);
    }

    private static void stopForegroundUp(ClusterDirectory directory, PrintWriter out) throws InterruptedException {
        OptionalLong pid = directory.pid();
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> up = ProcessHandle.of(pid.getAsLong())
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().command().map(c -> c.contains("java")).orElse(false));
        if (up.isPresent()) {
            out.println("pgherd: stopping the foreground 'pgherd up' (pid " + pid.getAsLong() + ")");
            up.get().destroy();
            try {
                up.get().onExit().get(90, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new PostgresException("the foreground 'pgherd up' (pid " + pid.getAsLong() + ") did not stop within 90 s");
            }
        }
        directory.clearPid();
    }
}
