package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.controller.replicas.Provisioner;
import io.pgherd.controller.replicas.StepFailure;
import io.pgherd.postgres.CommandRunner;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PostgresNode;
import io.pgherd.postgres.SecureFiles;
import io.pgherd.postgres.ServerUser;

/**
 * The {@value Provisioner#LOCAL} provisioner: a read replica as {@code pgherd up} makes one, on this machine,
 * in a local cluster's directory: its agent's configuration {@code agents/<name>.yml} (role replica, so
 * tagged nofailover), PID and log beside those of up's agents, its PostgreSQL under {@code DIR/<name>/} on
 * a port from the configured range, its agent's REST API on the next free one. The agent clones and joins
 * by itself once started. What it made is recorded in {@value #RECORD_FILE} before anything is made, so a
 * controller that died in the middle finds it ({@link #list}) and a new run finishes or releases it.
 *
 * <p>It never touches a node that {@code up} made. Every method is idempotent; calls are serialized in
 * this process (one acting controller per cluster).
 */
final class LocalProvisioner implements Provisioner {
    static final String RECORD_FILE = "provisioned.json";
    private static final Duration STOP = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ClusterDirectory directory;
    private final int portFrom;
    private final int portTo;
    private final Optional<String> classPath;

    /**
     * A member the provisioner made.
     *
     * @param name its name
     * @param port its PostgreSQL's port
     * @param apiPort its agent's REST API port
     */
    record Made(@JsonProperty("name") String name, @JsonProperty("port") int port, @JsonProperty("api_port") int apiPort) {
        LocalState.Node node() {
            return new LocalState.Node(name, "replica", port, apiPort);
        }
    }

    /**
     * @param directory the local cluster's directory (made by {@code pgherd up})
     * @param portFrom the first port new members may take (PostgreSQL and REST API alike)
     * @param portTo the last
     */
    LocalProvisioner(ClusterDirectory directory, int portFrom, int portTo) {
        this(directory, portFrom, portTo, Optional.empty());
    }

    /** As the other constructor, its agents run from {@code classPath} instead of this jar (tests run the built jar). */
    LocalProvisioner(ClusterDirectory directory, int portFrom, int portTo, Optional<String> classPath) {
        if (portFrom < 1024 || portTo > 65535 || portFrom > portTo) {
            throw new IllegalArgumentException("the port range must be within 1024..65535, first <= last (got " + portFrom
                    + ".." + portTo + ")");
        }
        this.directory = directory;
        this.portFrom = portFrom;
        this.portTo = portTo;
        this.classPath = classPath;
    }

    @Override
    public synchronized Placement provision(String name, String cloneFrom) {
        LocalState state = directory.read();
        if (state.nodes().stream().anyMatch(n -> n.name().equals(name))) {
            throw new StepFailure(name + " is a node of 'pgherd up' in " + directory.path() + ", not one to provision");
        }
        TreeMap<String, Made> made = read();
        Made m = made.get(name);
        if (m == null) {
            m = allocate(name, state, made);
            made.put(name, m);
            write(made);
        }
        // Written again on a second run: a controller may have died between recording and writing it.
        agents(state).writeConfiguration(m.node());
        return new Placement(name, "127.0.0.1", m.port(), directory.path().resolve(name).toString());
    }

    @Override
    public synchronized void start(String name) {
        Made m = required(name);
        LocalState state = directory.read();
        LocalAgents agents = agents(state);
        agents.writeConfiguration(m.node());
        if (classPath.isPresent()) {
            agents.startAgent(m.node(), classPath.get());
        } else {
            agents.startAgent(m.node());
        }
    }

    @Override
    public synchronized void stop(String name) {
        Optional.ofNullable(read().get(name)).ifPresent(m -> stop(directory.read(), m));
    }

    @Override
    public synchronized void release(String name) {
        LocalState state = directory.read();
        if (state.nodes().stream().anyMatch(n -> n.name().equals(name))) {
            throw new StepFailure(name + " is a node of 'pgherd up' in " + directory.path() + ": the local provisioner"
                    + " releases only members it made");
        }
        TreeMap<String, Made> made = read();
        Made m = made.get(name);
        if (m == null) {
            return;
        }
        stop(state, m);
        LocalAgents agents = agents(state);
        delete(directory.path().resolve(name));
        for (Path file : List.of(agents.configFile(name), agents.agent(m.node()).pidFile(), agents.agent(m.node()).logFile())) {
            delete(file);
        }
        // Forgotten last: a release that died before this point is found by list() and run again.
        made.remove(name);
        write(made);
    }

    @Override
    public synchronized List<String> list() {
        return List.copyOf(read().keySet());
    }

    /**
     * Stops every member the local provisioner made in {@code directory} (its agent, then its PostgreSQL), data
     * and record kept: what {@code pgherd down} does to them besides up's own nodes.
     *
     * @return their names, sorted
     */
    static List<String> stopAll(ClusterDirectory directory) {
        LocalProvisioner provisioner = new LocalProvisioner(directory, 1024, 65535);
        LocalState state = directory.read();
        TreeMap<String, Made> made = provisioner.read();
        made.values().forEach(m -> provisioner.stop(state, m));
        return List.copyOf(made.keySet());
    }

    /** The nodes the local provisioner made in {@code directory} and still records, by name: what the supervisor keeps. */
    static List<LocalState.Node> recorded(ClusterDirectory directory) {
        return new LocalProvisioner(directory, 1024, 65535).read().values().stream().map(Made::node).toList();
    }

    /**
     * Starts the agent of every member the local provisioner made in {@code directory} that does not run, except
     * those in {@code skip} (being removed): what {@code pgherd up} does for them besides its own nodes.
     *
     * @return the names of those started, sorted
     */
    static List<String> startAll(ClusterDirectory directory, Set<String> skip) {
        LocalProvisioner provisioner = new LocalProvisioner(directory, 1024, 65535);
        LocalState state = directory.read();
        LocalAgents agents = provisioner.agents(state);
        List<String> started = new ArrayList<>();
        for (Made m : provisioner.read().values()) {
            if (!skip.contains(m.name()) && !agents.agent(m.node()).isRunning()) {
                provisioner.start(m.name());
                started.add(m.name());
            }
        }
        return started;
    }

    /** The agent of {@code m} stopped, then its PostgreSQL (the agent leaves it running when it stops). */
    private void stop(LocalState state, Made m) {
        agents(state).agent(m.node()).stop(STOP);
        postgres(state, m).stop(STOP);
    }

    private Made allocate(String name, LocalState state, TreeMap<String, Made> made) {
        PortPlan plan = PortPlan.onThisMachine();
        for (LocalState.Node node : state.nodes()) {
            plan.recorded(node.port(), "PostgreSQL of " + node.name());
            plan.recorded(node.apiPort(), "the REST API of the agent of " + node.name());
        }
        for (LocalState.Proxy proxy : state.proxies()) {
            plan.recorded(proxy.port(), "the clients of " + proxy.name()).recorded(proxy.metricsPort(), "the metrics of "
                    + proxy.name());
        }
        if (state.zooKeeperPort() > 0) {
            plan.recorded(state.zooKeeperPort(), "the embedded ZooKeeper");
        }
        for (Made other : made.values()) {
            plan.recorded(other.port(), "PostgreSQL of " + other.name()).recorded(other.apiPort(), "the REST API of the agent"
                    + " of " + other.name());
        }
        int port = plan.claim(portFrom, false, "", "PostgreSQL of " + name);
        int api = plan.claim(port + 1, false, "", "the REST API of the agent of " + name);
        if (port > portTo || api > portTo) {
            throw new StepFailure("no two free ports left in the local provisioner's range " + portFrom + ".." + portTo
                    + " for " + name);
        }
        return new Made(name, port, api);
    }

    private Made required(String name) {
        Made m = read().get(name);
        if (m == null) {
            throw new StepFailure(name + " was not provisioned by the local provisioner in " + directory.path());
        }
        return m;
    }

    private LocalAgents agents(LocalState state) {
        return new LocalAgents(directory, state, directory.cluster(state, Optional.empty()));
    }

    private PostgresNode postgres(LocalState state, Made m) {
        PgBinaries binaries = PgBinaries.find(Optional.of(Path.of(state.pgBin())));
        return new PostgresNode(m.name(), directory.path().resolve(m.name()), m.port(), binaries,
                new CommandRunner(ServerUser.detect()));
    }

    private Path recordFile() {
        return directory.path().resolve(RECORD_FILE);
    }

    private TreeMap<String, Made> read() {
        Path file = recordFile();
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            List<Made> list = JSON.readValue(file.toFile(), new TypeReference<List<Made>>() { });
            TreeMap<String, Made> out = new TreeMap<>();
            list.forEach(m -> out.put(m.name(), m));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private void write(TreeMap<String, Made> made) {
        try {
            SecureFiles.write(recordFile(), JSON.writeValueAsString(new ArrayList<>(made.values())), null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + recordFile(), e);
        }
    }

    private static void delete(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + path, e);
        }
    }
}
