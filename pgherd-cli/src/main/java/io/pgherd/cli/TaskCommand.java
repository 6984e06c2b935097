package io.pgherd.cli;

import java.io.PrintWriter;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ControllerStore.CancelOutcome;
import io.pgherd.cluster.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pgherd task ID} shows one task with its steps; {@code pgherd task cancel ID} asks to cancel it. */
@Command(name = "task", mixinStandardHelpOptions = true, subcommands = TaskCommand.Cancel.class,
        description = {"Show one of the controller's durable tasks with its steps: state, start and finish times, any"
                + " error with its cause, the owning controller and its epoch.",
                "'pgherd task cancel ID' asks the controller to cancel it: it undoes the steps done so far, newest first,"
                        + " and the task ends cancelled."})
final class TaskCommand extends HaCommand {
    @Parameters(arity = "0..1", paramLabel = "ID", description = "The task's id, as 'pgherd tasks' shows it.")
    String id;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        if (id == null) {
            throw badOption("give a task ID ('pgherd tasks' lists them), or 'cancel ID'");
        }
        Task task = new ControllerStore(store).task(id).map(ControllerStore.TaskEntry::task)
                .orElseThrow(() -> new CommandFailure("no task " + id + " in cluster " + cluster + " ('pgherd tasks' lists them)"));
        out.print(json ? TasksCommand.json(task) + "\n" : TaskTable.detail(task));
        return 0;
    }

    /** {@code pgherd task cancel ID}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Ask the acting controller to cancel a task: it undoes the steps done so far and the task ends"
                    + " cancelled ('pgherd task ID' shows how far it got). A task that has not started ends at once.")
    static final class Cancel extends HaCommand {
        @Parameters(paramLabel = "ID", description = "The task's id.")
        String id;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            CancelOutcome outcome = new ControllerStore(store).requestCancel(id, System.currentTimeMillis());
            return switch (outcome) {
                case REQUESTED -> {
                    out.println("cancel of task " + id + " requested: the controller undoes its done steps ('pgherd task "
                            + id + "' shows them)");
                    yield 0;
                }
                case NO_SUCH_TASK -> throw new CommandFailure("no task " + id + " in cluster " + cluster
                        + " ('pgherd tasks' lists them)");
                case ALREADY_FINISHED -> throw new CommandFailure("task " + id + " has already ended ("
                        + new ControllerStore(store).task(id).map(e -> e.task().state().label()).orElse("gone") + "): nothing to cancel");
            };
        }
    }
}
