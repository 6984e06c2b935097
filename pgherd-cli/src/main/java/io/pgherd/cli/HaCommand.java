package io.pgherd.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.DcsException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the commands that work on a running HA cluster share: {@code --dcs URL} and
 * {@code --cluster NAME} (by default those of the local cluster in {@code --dir}), one DCS client
 * per run, closed at the end. A malformed address or name is
 * a bad option (exit 2); a store that does not answer is a {@link CommandFailure} (exit 1).
 */
abstract class HaCommand implements Callable<Integer> {
    /** The DCS clients' loggers: their connection chatter is not for a one-shot command's user (see {@link #quietDcsClients}). */
    private static final List<String> DCS_CLIENT_LOGGERS = List.of("org.apache.zookeeper", "org.apache.curator", "io.etcd",
            "io.grpc", "io.vertx", "io.netty");

    @Option(names = "--dcs", paramLabel = "URL", converter = AddressConverter.class,
            description = "The cluster's DCS: zookeeper://host:port[,host:port...] or etcd://host:port[,...]"
                    + " (default: that of the local cluster in --dir).")
    DcsAddress dcs;

    @Option(names = "--cluster", defaultValue = "pgherd", paramLabel = "NAME", converter = ClusterNameConverter.class,
            description = "Cluster name, as in the agents' agent.cluster (default: the local cluster's, else ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR",
            description = "The local cluster ('pgherd up') whose DCS and name to use when --dcs is not given (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path dir;

    @Option(names = "--dcs-timeout", defaultValue = "5", paramLabel = "S",
            description = "Seconds one DCS operation may wait for the store before the command gives up (default: ${DEFAULT-VALUE}).")
    int dcsTimeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() {
        if (dcsTimeoutSeconds < 1) {
            throw badOption("--dcs-timeout must be >= 1 second (got " + dcsTimeoutSeconds + ")");
        }
        quietDcsClients();
        if (dcs == null) {
            useLocalCluster();
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Dcs client = Dcs.connect(dcs, Duration.ofSeconds(dcsTimeoutSeconds))) {
            return run(new ClusterStore(client, cluster), out);
        } catch (DcsException e) {
            throw new CommandFailure("the DCS did not answer: " + e.getMessage(), e);
        } finally {
            out.flush();
        }
    }

    /** Takes the DCS and cluster name recorded by 'pgherd up' in --dir (an explicit --cluster wins). */
    private void useLocalCluster() {
        ClusterDirectory local = new ClusterDirectory(dir);
        if (!local.exists()) {
            throw badOption("--dcs is required: there is no local cluster in " + local.path() + " to take it from");
        }
        LocalState state = local.read();
        if (!state.highlyAvailable()) {
            throw badOption("--dcs is required: the local cluster in " + local.path() + " runs without agents (run"
                    + " 'pgherd up --dir " + local.path() + "' once to give it some)");
        }
        dcs = DcsAddress.parse(state.dcs());
        if (!spec.commandLine().getParseResult().hasMatchedOption("--cluster")) {
            cluster = state.cluster();
        }
    }

    /** Does the command's work; returns the exit code. A {@link DcsException} thrown here is reported as such. */
    abstract int run(ClusterStore store, PrintWriter out);

    /**
     * Silences the ZooKeeper and etcd clients' own logging. They log every connection attempt (at
     * INFO, and a refused one at WARN with a stack trace), which would bury the one line this
     * command prints when the store does not answer; that line says what they would have.
     */
    static void quietDcsClients() {
        setDcsClientLevel(Level.OFF);
    }

    /** For the processes that run for long (agents, the embedded ZooKeeper): the clients' warnings, not their chatter. */
    static void dcsClientsAtWarn() {
        setDcsClientLevel(Level.WARN);
    }

    private static void setDcsClientLevel(Level level) {
        for (String name : DCS_CLIENT_LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(level);
            }
        }
    }

    /** A usage error found after parsing (exit 2, like a malformed option). */
    final CommandLine.ParameterException badOption(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Rejects a negative {@code --wait}. */
    final void checkWait(int seconds) {
        if (seconds < 0) {
            throw badOption("--wait must be >= 0 seconds (got " + seconds + ")");
        }
    }

    static final class AddressConverter implements CommandLine.ITypeConverter<DcsAddress> {
        @Override
        public DcsAddress convert(String value) {
            try {
                return DcsAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ClusterNameConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return new ClusterKeys(value).cluster();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
