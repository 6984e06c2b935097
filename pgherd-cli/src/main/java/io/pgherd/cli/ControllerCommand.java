package io.pgherd.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

import io.pgherd.controller.Controller;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.controller.Reconciler;
import io.pgherd.controller.task.TaskType;
import io.pgherd.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgherd controller}: runs one controller in the foreground until stopped. It carries out no task
 * type and keeps no desired state yet: the reconcilers (read replicas) plug in at {@link #RECONCILERS} and
 * the task types at {@link #TASK_TYPES}.
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = {"Run a controller with the controller section of FILE (cluster, name, dcs, ttl, loop_wait,"
                + " dcs_timeout), in the foreground until SIGTERM or Ctrl-C. Controllers elect one of them through the"
                + " DCS; the others stand by and one takes over within the ttl when the acting one dies.",
                "Every write of the acting controller is fenced by its epoch: a deposed controller's late write fails."})
final class ControllerCommand implements Callable<Integer> {
    /** The desired states the controller keeps; none yet (the read replica reconciler plugs in here). */
    static final List<Reconciler> RECONCILERS = List.of();
    /** The task types the controller carries out; none yet (add_replica, remove_replica plug in here). */
    static final List<TaskType> TASK_TYPES = List.of();

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "controller.yml")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        ControllerConfig settings = ControllerConfig.load(config);
        HaCommand.dcsClientsAtWarn();
        Dcs dcs = Dcs.connect(settings.dcs(), settings.get(ControllerConfig.DCS_TIMEOUT));
        Controller controller = new Controller(dcs, settings.get(ControllerConfig.CLUSTER), settings.name(),
                settings.get(ControllerConfig.TTL), settings.get(ControllerConfig.LOOP_WAIT), TASK_TYPES, RECONCILERS,
                Clock.systemUTC());
        Thread loop = new Thread(controller::run, "pgherd-controller");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
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
}
