package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.NodeStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd status}: each node's role, port, state and replay lag. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each node's name, role, port, state and replay lag.",
                "--json prints one JSON object with the same facts plus a connection URI per node (it contains the"
                        + " superuser's password: keep the output private)."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR", description = "Cluster directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ClusterDirectory directory = new ClusterDirectory(dir);
        LocalState state = directory.read();
        LocalCluster cluster = directory.cluster(state, Optional.empty());
        LocalAgents agents = new LocalAgents(directory, state, cluster);
        Optional<ClusterState> ha = Optional.empty();
        Optional<ReadReplicas> replicas = Optional.empty();
        LocalControllers controllers = new LocalControllers(directory, state);
        Optional<LocalControllers.Acting> controller = Optional.empty();
        String dcsError = null;
        if (state.highlyAvailable()) {
            try {
                controller = controllers.acting();
                ClusterSnapshot snapshot = agents.clusterSnapshot();
                ha = Optional.of(ClusterState.of(snapshot));
                replicas = Optional.of(ReadReplicas.of(snapshot));
            } catch (DcsException e) {
                dcsError = e.getMessage();
            }
        }
        Optional<String> acting = controller.map(LocalControllers.Acting::name);
        Optional<String> leader = ha.flatMap(ClusterState::leader).map(ClusterState.Leader::member);
        List<NodeStatus> nodes = cluster.status(leader.map(cluster::node).orElse(cluster.primary()));
        List<LocalProxy> proxies = LocalProxy.all(directory, state);
        LocalProxy proxy = proxies.get(0);
        boolean proxyRunning = proxy.isRunning();
        if (json) {
            Map<String, Object> root = asJson(directory, state, cluster.credentials(), nodes, agents, ha);
            root.put("leader", leader.orElse(null));
            if (dcsError != null) {
                root.put("dcs_error", dcsError);
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("host", "127.0.0.1");
            p.put("port", state.proxyPort());
            p.put("state", proxyRunning ? "running" : "stopped");
            p.put("running", proxyRunning);
            p.put("uri", proxy.uri(cluster.credentials(), "postgres"));
            p.put("admin_uri", proxy.uri(cluster.credentials(), "pgherd"));
            p.put("metrics_url", "http://127.0.0.1:" + state.metricsPort() + "/metrics");
            root.put("proxy", p);
            root.put("proxies", proxies.stream().map(each -> proxyJson(each, cluster.credentials())).toList());
            root.put("supervisor", supervisorJson(directory));
            root.put("controllers", controllersJson(controllers, acting));
            root.put("acting_controller", acting.orElse(null));
            root.put("controller_epoch", controller.map(LocalControllers.Acting::epoch).orElse(null));
            replicas.ifPresent(r -> root.put("read_replicas", ListCommand.readReplicasJson(r)));
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
        } else {
            out.println("cluster " + directory.path() + " (PostgreSQL " + state.postgresVersion() + ")");
            if (state.highlyAvailable()) {
                out.println("DCS " + state.dcs() + ", cluster " + state.cluster() + ": "
                        + (dcsError != null ? "not answering (" + dcsError + ")"
                        : leader.map(l -> "leader " + l).orElse("no leader")));
            }
            out.println(Supervisors.find(directory).map(s -> "supervised by pid " + s.pid() + " (" + s.kind() + "), running")
                    .orElse("no supervisor running: a process that exits stays down ('pgherd up' starts one)"));
            out.printf("%-8s %-8s %-6s %-10s %-9s %s%n", "NAME", "ROLE", "PORT", "STATE", "AGENT", "LAG");
            for (NodeStatus node : nodes) {
                out.printf("%-8s %-8s %-6d %-10s %-9s %s%n", node.name(), node.role().label(), node.port(), node.state(),
                        agentState(agents, state, node.name()), lag(node));
            }
            for (LocalProxy each : proxies) {
                out.printf("%-8s %-8s %-6d %-10s %-9s %s%n", UpCommand.label(state, each.recorded()), "pooler",
                        each.recorded().port(), each.isRunning() ? "running" : "stopped", "-", "-");
            }
            for (String name : controllers.names()) {
                Daemon daemon = controllers.daemon(name);
                int metrics = controllers.metricsPort(name);
                out.printf("%-8s %-8s %-6s %-10s %-9s %s%n", name, "control", metrics > 0 ? Integer.toString(metrics) : "-",
                        daemon.isRunning() ? "running" : "stopped",
                        "-", acting.filter(name::equals).isPresent() ? "acting" : "-");
            }
            if (!controllers.names().isEmpty() && dcsError == null) {
                out.println(controller.map(a -> "acting controller: " + a.name() + " (epoch " + a.epoch() + ")")
                        .orElse("no controller acts"));
            }
            replicas.flatMap(ReadReplicas::line).ifPresent(out::println);
        }
        out.flush();
        return 0;
    }

    /** One proxy for --json: name, port, PID and whether it runs, its URIs and metrics URL. */
    private static Map<String, Object> proxyJson(LocalProxy proxy, Credentials credentials) {
        Daemon daemon = proxy.daemon();
        boolean running = proxy.isRunning();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", proxy.recorded().name());
        p.put("host", "127.0.0.1");
        p.put("port", proxy.recorded().port());
        p.put("pid", daemon.pid().isPresent() ? daemon.pid().getAsLong() : null);
        p.put("running", running);
        p.put("state", running ? "running" : "stopped");
        p.put("uri", proxy.uri(credentials, "postgres"));
        p.put("admin_uri", proxy.uri(credentials, "pgherd"));
        p.put("metrics_url", "http://127.0.0.1:" + proxy.recorded().metricsPort() + "/metrics");
        return p;
    }

    /** Each controller for --json: name, PID, whether it runs and whether it acts (holds the DCS key), its files. */
    private static List<Map<String, Object>> controllersJson(LocalControllers controllers, Optional<String> acting) {
        return controllers.names().stream().map(name -> {
            Daemon daemon = controllers.daemon(name);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            c.put("pid", daemon.pid().isPresent() ? daemon.pid().getAsLong() : null);
            c.put("running", daemon.isRunning());
            c.put("acting", acting.filter(name::equals).isPresent());
            int metrics = controllers.metricsPort(name);
            c.put("metrics_url", metrics > 0 ? "http://127.0.0.1:" + metrics + "/metrics" : null);
            c.put("config", controllers.configFile(name).toString());
            c.put("log", daemon.logFile().toString());
            return c;
        }).toList();
    }

    /** The supervisor for --json: its PID, whether it runs, and whether it is a foreground 'up' or the background one. */
    private static Map<String, Object> supervisorJson(ClusterDirectory directory) {
        Optional<Supervisors.Running> supervisor = Supervisors.find(directory);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pid", supervisor.map(Supervisors.Running::pid).orElse(null));
        s.put("running", supervisor.isPresent());
        s.put("kind", supervisor.map(r -> r.foreground() ? "foreground" : "background").orElse(null));
        s.put("log", supervisor.filter(r -> !r.foreground())
                .map(r -> Supervisors.background(directory).logFile().toString()).orElse(null));
        return s;
    }

    private static String agentState(LocalAgents agents, LocalState state, String name) {
        if (!state.highlyAvailable()) {
            return "-";
        }
        return agents.agent(node(state, name)).isRunning() ? "running" : "stopped";
    }

    private static LocalState.Node node(LocalState state, String name) {
        return state.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, Object> asJson(ClusterDirectory directory, LocalState state, Credentials credentials,
                                              List<NodeStatus> nodes, LocalAgents agents, Optional<ClusterState> ha) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dir", directory.path().toString());
        root.put("dcs", state.dcs());
        root.put("cluster", state.cluster());
        root.put("postgres_version", state.postgresVersion());
        root.put("superuser", credentials.superuser());
        root.put("nodes", nodes.stream().map(n -> {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", n.name());
            node.put("role", n.role().label());
            node.put("host", "127.0.0.1");
            node.put("port", n.port());
            node.put("state", n.state());
            node.put("running", n.running());
            node.put("lag_bytes", n.lagBytes());
            node.put("lag_seconds", n.lagSeconds());
            node.put("uri", credentials.superuserUri(n.port(), "postgres"));
            if (state.highlyAvailable()) {
                LocalState.Node recorded = node(state, n.name());
                Daemon agent = agents.agent(recorded);
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("running", agent.isRunning());
                a.put("pid", agent.pid().isPresent() ? agent.pid().getAsLong() : null);
                a.put("api_url", "http://127.0.0.1:" + recorded.apiPort());
                Member member = ha.map(c -> c.members().get(n.name())).orElse(null);
                a.put("member_state", member == null ? null : member.state());
                a.put("timeline", member == null ? null : member.timeline());
                node.put("agent", a);
            }
            return node;
        }).toList());
        return root;
    }

    private static String lag(NodeStatus node) {
        if (node.lagBytes() == null) {
            return "-";
        }
        long b = node.lagBytes();
        String bytes = b < 1024 ? b + " B" : b < 1 << 20 ? String.format("%.1f kB", b / 1024.0) : String.format("%.1f MB", b / 1048576.0);
        return node.lagSeconds() == null ? bytes : bytes + String.format(", %.3f s", node.lagSeconds());
    }
}
