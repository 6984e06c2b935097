package io.pgherd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.postgres.SecureFiles;

/**
 * The controllers of a local cluster ({@code pgherd up --controllers N}): controller {@code cK} is a
 * background process of this jar ({@code pgherd controller --config DIR/controllers/cK.yml}), its PID
 * and log beside its configuration under {@code DIR/controllers/}. The configuration files are the
 * record of how many the cluster has: {@code c1.yml} … {@code cN.yml}; the directory exists (maybe empty,
 * for {@code --controllers 0}) once {@code up} decided. Which one acts is the DCS's business (the
 * {@code controller} key). Immutable; every method reads the files again.
 */
final class LocalControllers {
    static final String CONTROLLERS_DIR = "controllers";
    private static final Pattern FILE = Pattern.compile("c([1-9][0-9]*)\\.yml");
    private static final Duration START = Duration.ofSeconds(60);
    /** The first controller's metrics port is this far above the first proxy's (9940 by default). */
    static final int METRICS_ABOVE_PROXY = 10;

    private final ClusterDirectory directory;
    private final LocalState state;

    LocalControllers(ClusterDirectory directory, LocalState state) {
        this.directory = directory;
        this.state = state;
    }

    /**
     * Records the cluster's controllers for {@code up --controllers asked}: a cluster without any decided yet (a new
     * one, or one made before controllers existed) gets {@code asked} of them; an existing one with a larger number
     * {@code given} on the command line gets the missing ones; a smaller one removes none. Says on {@code out} what it
     * kept or added to an {@code existing} cluster.
     */
    void record(PrintWriter out, int asked, boolean given, boolean existing) {
        if (!state.highlyAvailable()) {
            return;
        }
        int recorded = names().size();
        int count = decided() && (!given || asked < recorded) ? recorded : asked;
        PortPlan plan = PortPlan.ofRecorded(state);
        Map<String, Integer> metricsPorts = planMetricsPorts(count, plan);
        Map<String, Integer> apiPorts = LocalApiPorts.plan(this, count, plan);
        plan.check();
        if (decided() && (!given || asked == recorded)) {
            writeConfigurations(recorded, metricsPorts, apiPorts);
            return;
        }
        if (decided() && asked < recorded) {
            writeConfigurations(recorded, metricsPorts, apiPorts);
            out.println("pgherd: keeping the cluster's " + recorded + " controllers (--controllers " + asked
                    + " does not remove any)");
            return;
        }
        List<String> added = writeConfigurations(asked, metricsPorts, apiPorts);
        if (existing && !added.isEmpty()) {
            out.println("pgherd: adding controller" + (added.size() == 1 ? " " : "s ") + String.join(", ", added)
                    + " to the cluster");
        }
    }

    /** The name of the {@code k}th controller (from 1). */
    static String name(int k) {
        return "c" + k;
    }

    Path dir() {
        return directory.path().resolve(CONTROLLERS_DIR);
    }

    /** Whether {@code up} already decided how many controllers this cluster has (a cluster made before had none). */
    boolean decided() {
        return Files.isDirectory(dir());
    }

    /** The controllers' names, {@code c1} first: one per configuration file. */
    List<String> names() {
        if (!decided()) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(f -> FILE.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).sorted(Comparator.naturalOrder()).map(LocalControllers::name)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir(), e);
        }
    }

    Path configFile(String name) {
        return dir().resolve(name + ".yml");
    }

    Daemon daemon(String name) {
        // No port to wait for: the controller is ready once it runs (its metrics endpoint opens before its loop starts).
        return new Daemon("controller " + name, dir().resolve(name + ".pid"), dir().resolve(name + ".log"), 0);
    }

    /**
     * The port of {@code name}'s metrics endpoint as its configuration records it ({@code controller.metrics.listen});
     * 0 when it has none (no file, or one written before controllers had metrics).
     */
    int metricsPort(String name) {
        Path file = configFile(name);
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try {
            HostPort listen = ControllerConfig.load(file).get(ControllerConfig.METRICS_LISTEN);
            return listen == null ? 0 : listen.port();
        } catch (ConfigException e) {
            return 0;
        }
    }

    /** Marks every controller's recorded metrics port as used in {@code plan}, so that no new part takes it. */
    PortPlan recordMetricsPorts(PortPlan plan) {
        for (String name : names()) {
            int port = metricsPort(name);
            if (port > 0) {
                plan.recorded(port, "the metrics of controller " + name);
            }
        }
        return plan;
    }

    /**
     * The metrics port of each of {@code c1} … {@code cCount} (and of any recorded beyond): the one its configuration
     * records, else the first free one claimed in {@code plan} from {@value #METRICS_ABOVE_PROXY} above the first
     * proxy's metrics port (9940 by default), past every other. Check {@code plan} before writing them.
     */
    Map<String, Integer> planMetricsPorts(int count, PortPlan plan) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        int last = Math.max(count, names().size());
        for (int k = 1; k <= last; k++) {
            int recorded = metricsPort(name(k));
            if (recorded > 0) {
                plan.recorded(recorded, "the metrics of controller " + name(k));
            }
        }
        int next = state.metricsPort() + METRICS_ABOVE_PROXY;
        for (int k = 1; k <= last; k++) {
            int port = metricsPort(name(k));
            if (port == 0) {
                port = plan.claim(next, false, "", "the metrics of controller " + name(k));
            }
            ports.put(name(k), port);
            next = Math.max(next, port + 1);
        }
        return ports;
    }

    /**
     * Writes the configuration of {@code c1} … {@code cCount}, keeping those of any beyond (a smaller count
     * removes none); creates the directory even for none.
     *
     * @param metricsPorts each controller's metrics port ({@link #planMetricsPorts}); one without is written without
     * @return the names of the controllers added
     */
    List<String> writeConfigurations(int count, Map<String, Integer> metricsPorts) {
        return writeConfigurations(count, metricsPorts, Map.of());
    }

    /** {@link #writeConfigurations(int, Map)}, each controller serving the cluster API on its port of {@code apiPorts}. */
    List<String> writeConfigurations(int count, Map<String, Integer> metricsPorts, Map<String, Integer> apiPorts) {
        List<String> before = names();
        try {
            Files.createDirectories(dir());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir(), e);
        }
        List<String> added = new ArrayList<>();
        for (int k = 1; k <= Math.max(count, before.size()); k++) {
            String name = name(k);
            SecureFiles.write(configFile(name), yaml(settings(name, metricsPorts.getOrDefault(name, 0),
                    apiPorts.getOrDefault(name, 0))), null);
            if (!before.contains(name)) {
                added.add(name);
            }
        }
        return added;
    }

    /**
     * The {@code controller} section of {@code name}'s configuration, key by key (a dotted key is a nested one): a new
     * key is one line here.
     */
    Map<String, String> settings(String name, int metricsPort) {
        return settings(name, metricsPort, 0);
    }

    /** {@link #settings(String, int)} with the cluster API on loopback port {@code apiPort} (none for 0). */
    Map<String, String> settings(String name, int metricsPort, int apiPort) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster", state.cluster());
        settings.put("name", name);
        settings.put("dcs", state.dcs());
        // Read replicas on demand come from this machine: the local provisioner makes them in this directory, on
        // ports above the nodes' (it skips any port the cluster already records).
        int above = state.nodes().stream().mapToInt(LocalState.Node::port).max().orElse(5432) + 1;
        settings.put("provisioner", "local");
        settings.put("dir", directory.path().toString());
        settings.put("ports", above + "-" + Math.min(65535, above + 99));
        if (metricsPort > 0) {
            settings.put("metrics.listen", "127.0.0.1:" + metricsPort);
        }
        if (apiPort > 0) {
            settings.put("api.listen", "127.0.0.1:" + apiPort);
        }
        return settings;
    }

    private String yaml(Map<String, String> settings) {
        StringBuilder yaml = new StringBuilder("# Written by 'pgherd up': controller " + settings.get("name") + " of the"
                + " cluster in " + directory.path() + ".\ncontroller:\n");
        settings.forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot < 0) {
                yaml.append("  ").append(key).append(": ").append(value).append('\n');
            } else {
                yaml.append("  ").append(key, 0, dot).append(":\n    ").append(key.substring(dot + 1)).append(": ").append(value)
                        .append('\n');
            }
        });
        return yaml.toString();
    }

    /** Starts controller {@code name} unless it runs. */
    void start(String name) {
        Daemon daemon = daemon(name);
        if (!daemon.isRunning()) {
            daemon.start(JvmOptions.of(JvmOptions.Kind.CONTROLLER), List.of("controller", "--config",
                    configFile(name).toString()), START);
        }
    }

    /** Starts every controller that does not run; the names of those started. */
    List<String> startMissing() {
        List<String> started = new ArrayList<>();
        for (String name : names()) {
            if (!daemon(name).isRunning()) {
                start(name);
                started.add(name);
            }
        }
        return started;
    }

    /** Whether every controller runs. */
    boolean allRunning() {
        return names().stream().allMatch(n -> daemon(n).isRunning());
    }

    /** Whether any controller runs. */
    boolean anyRunning() {
        return names().stream().anyMatch(n -> daemon(n).isRunning());
    }

    /** Stops every controller (SIGTERM to all, then waits for each); the names of those that ran. */
    List<String> stop(Duration timeout) {
        List<String> running = names().stream().filter(n -> daemon(n).isRunning()).toList();
        names().forEach(n -> daemon(n).signalStop());
        names().forEach(n -> daemon(n).stop(timeout));
        return running;
    }

    /**
     * The acting controller.
     *
     * @param name its name (the {@code controller} key in the DCS)
     * @param epoch the controller epoch it holds (the fencing token of its writes)
     */
    record Acting(String name, long epoch) {
    }

    /** The acting controller; empty when none acts. */
    Optional<Acting> acting() {
        try (Dcs dcs = Dcs.connect(DcsAddress.parse(state.dcs()), Duration.ofSeconds(5))) {
            ControllerStore store = new ControllerStore(new ClusterStore(dcs, state.cluster()));
            return store.acting().map(name -> new Acting(name, store.epoch().orElse(0)));
        }
    }
}
