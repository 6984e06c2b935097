package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgherd supervise}: the background supervisor of a detached cluster, started by {@code pgherd
 * up --detach} and stopped first by {@code pgherd down}; restarts the cluster's processes that exit and
 * writes what happens (to {@value Supervisors#LOG_FILE}). Not for users: hidden from the help.
 */
@Command(name = SuperviseCommand.NAME, hidden = true, mixinStandardHelpOptions = true,
        description = "Supervise the detached cluster in DIR until SIGTERM: restart its processes that exit (with backoff)"
                + " and print the agents' decisions.")
final class SuperviseCommand implements Callable<Integer> {
    static final String NAME = "supervise";

    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR", description = "Cluster directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        HaCommand.quietDcsClients();
        PrintWriter out = spec.commandLine().getOut();
        ClusterDirectory directory = new ClusterDirectory(dir);
        Supervisor supervisor = Supervisor.start(directory, out, true);
        supervisor.say("supervising the cluster in " + directory.path() + " (pid " + ProcessHandle.current().pid() + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.close();
            supervisor.say("stopped supervising " + directory.path());
            stopped.countDown();
        }, "pgherd-supervise-shutdown"));
        stopped.await();
        return 0;
    }
}
