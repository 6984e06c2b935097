package io.pgherd.cli;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.Controller;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.controller.access.DcsAccess;
import io.pgherd.controller.access.DcsAuditLog;
import io.pgherd.controller.access.DcsDirectory;
import io.pgherd.controller.api.ApiServer;
import io.pgherd.controller.api.ApiServices;
import io.pgherd.controller.Reconciler;
import io.pgherd.controller.metrics.MetricsServer;
import io.pgherd.controller.replicas.AssignmentDrains;
import io.pgherd.controller.replicas.Provisioner;
import io.pgherd.controller.replicas.ReplicaReconciler;
import io.pgherd.controller.replicas.ReplicaRules;
import io.pgherd.controller.replicas.ReplicaTaskTypes;
import io.pgherd.controller.replicas.SpareProvisioner;
import io.pgherd.controller.schedule.ScheduleReconciler;
import io.pgherd.controller.schedule.ScheduleRules;
import io.pgherd.controller.schedule.ScheduleTasks;
import io.pgherd.controller.task.TaskContext;
import io.pgherd.controller.task.TaskType;
import io.pgherd.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgherd controller}: runs one controller in the foreground until stopped. With a provisioner configured
 * ({@code controller.provisioner} local or spare) it keeps {@code spec.read_replicas}: the read replica
 * reconciler and the task types {@code add_replica}, {@code remove_replica} are built by {@link #replicas};
 * without one it keeps no desired state and carries out no task.
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = {"Run a controller with the controller section of FILE (cluster, name, dcs, ttl, loop_wait,"
                + " dcs_timeout; provisioner none|local|spare, dir, superuser_password_file, ports, name_prefix, max_lag_bytes,"
                + " stream_timeout, drain_timeout, retry_after; metrics.listen, keep_tasks; api.listen, api.tls_certificate, api.tls_key), in the foreground until SIGTERM or"
                + " Ctrl-C. Controllers elect one of them through the"
                + " DCS; the others stand by and one takes over within the ttl when the acting one dies.",
                "Every write of the acting controller is fenced by its epoch: a deposed controller's late write fails."})
final class ControllerCommand implements Callable<Integer> {
    /** What the controller keeps and carries out: its reconcilers and task types. */
    record Work(List<Reconciler> reconcilers, List<TaskType> types) {
        /** This work and {@code more}'s. */
        Work with(Work more) {
            return new Work(Stream.concat(reconcilers.stream(), more.reconcilers.stream()).toList(),
                    Stream.concat(types.stream(), more.types.stream()).toList());
        }
    }

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "controller.yml")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        ControllerConfig settings = ControllerConfig.load(config);
        HaCommand.dcsClientsAtWarn();
        Dcs dcs = Dcs.connect(settings.dcs(), settings.get(ControllerConfig.DCS_TIMEOUT));
        Work work = replicas(settings, dcs, Optional.empty());
        work = work.with(schedules(settings));
        Controller controller = new Controller(dcs, settings.get(ControllerConfig.CLUSTER), settings.name(),
                settings.get(ControllerConfig.TTL), settings.get(ControllerConfig.LOOP_WAIT),
                settings.get(ControllerConfig.KEEP_TASKS), work.types(), work.reconcilers(), Clock.systemUTC());
        Optional<MetricsServer> metrics = metrics(settings, controller, dcs);
        Optional<ApiServer> api = api(settings, controller, dcs);
        Thread loop = new Thread(controller::run, "pgherd-controller");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
            metrics.ifPresent(MetricsServer::close);
            api.ifPresent(ApiServer::close);
            try {
                loop.join(settings.get(ControllerConfig.DCS_TIMEOUT).multipliedBy(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dcs.close();
        }, "pgherd-controller-shutdown"));
        loop.start();
        loop.join();
        return 0;
    }

    /** The metrics endpoint when {@code controller.metrics.listen} is set; a clear failure when its address is taken. */
    private static Optional<MetricsServer> metrics(ControllerConfig settings, Controller controller, Dcs dcs) {
        HostPort listen = settings.get(ControllerConfig.METRICS_LISTEN);
        if (listen == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MetricsServer(listen, controller::status, Clock.systemUTC()));
        } catch (UncheckedIOException e) {
            dcs.close();
            throw new CommandFailure(e.getMessage());
        }
    }

    /**
     * The schedule reconciler and its task type {@code fire_schedule}, always (a schedule sets {@code spec.read_replicas}
     * whether or not this controller keeps it): a due time counts as on time for two takeovers of this TTL and loop
     * wait ({@link ScheduleRules#onTime}); later, it was missed.
     */
    static Work schedules(ControllerConfig settings) {
        TaskType type = ScheduleTasks.type();
        return new Work(List.of(new ScheduleReconciler(type, ScheduleRules.onTime(settings.get(ControllerConfig.TTL),
                settings.get(ControllerConfig.LOOP_WAIT)))), List.of(type));
    }

    /**
     * The cluster REST API when {@code controller.api.listen} is set: users, tokens and the audit log in the DCS, read
     * through the controller's own client; a clear failure when its address is taken or a TLS file is wrong.
     */
    static Optional<ApiServer> api(ControllerConfig settings, Controller controller, Dcs dcs) {
        ClusterStore store = new ClusterStore(dcs, settings.get(ControllerConfig.CLUSTER));
        ApiServices services = new ApiServices(store, new DcsAccess(store), new DcsDirectory(store, Clock.systemUTC()),
                new DcsAuditLog(store), controller::status, Clock.systemUTC());
        try {
            return ApiServer.configured(settings, services);
        } catch (IllegalArgumentException e) {
            dcs.close();
            throw new CommandFailure(e.getMessage());
        }
    }

    /**
     * The read replica reconciler and its task types, as the configuration asks: none without a provisioner. The
     * leader is reached as the superuser with the password in {@code controller.superuser_password_file} (default:
     * the cluster directory's); the local provisioner makes its members in the cluster directory
     * ({@code controller.dir}), its agents run from {@code classPath} if given (tests run the built jar), else this
     * process's. The spare provisioner needs no cluster directory: its controller may run on any host. The replica
     * steps read the cluster through {@code dcs}, the controller's own client.
     */
    static Work replicas(ControllerConfig settings, Dcs dcs, Optional<String> classPath) {
        if (!settings.keepsReplicas()) {
            return new Work(List.of(), List.of());
        }
        Path passwordFile = settings.superuserPasswordFile().orElseThrow().toAbsolutePath();
        if (!Files.isReadable(passwordFile)) {
            throw new CommandFailure("the superuser's password file " + passwordFile + " cannot be read (controller."
                    + (settings.get(ControllerConfig.SUPERUSER_PASSWORD_FILE) == null ? "dir" : "superuser_password_file") + ")");
        }
        Function<TaskContext, Provisioner> provisioner;
        if (Provisioner.LOCAL.equals(settings.get(ControllerConfig.PROVISIONER))) {
            ClusterDirectory directory = new ClusterDirectory(Path.of(settings.get(ControllerConfig.DIR)).toAbsolutePath());
            if (!directory.exists()) {
                throw new CommandFailure("controller.dir " + directory.path() + " holds no local cluster (made by pgherd up)");
            }
            int[] ports = settings.ports();
            LocalProvisioner local = new LocalProvisioner(directory, ports[0], ports[1], classPath);
            provisioner = context -> local;
        } else {
            provisioner = context -> new SpareProvisioner(context.cluster(), context.fence(), context.taskId());
        }
        ReplicaTaskTypes types = new ReplicaTaskTypes(provisioner,
                new LocalReplicaCluster(dcs, settings.get(ControllerConfig.CLUSTER), passwordFile),
                context -> new AssignmentDrains(context.cluster(), context.fence(), context.taskId()), settings.replicaLimits());
        ReplicaReconciler reconciler = new ReplicaReconciler(new ReplicaRules(settings.replicaPolicy()), types.add(), types.remove());
        return new Work(List.of(reconciler), types.all());
    }
}
