package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd tasks}: the controller's durable tasks as the DCS holds them. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = {"Show the controller's durable tasks (adding a replica, ...): id, type, state, progress, the step"
                + " running or next, the controller that owns it and its epoch, and when it last changed.",
                "--watch prints the table again every --interval seconds until Ctrl-C; --json prints the records as stored."})
final class TasksCommand extends HaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Option(names = {"-W", "--watch"}, description = "Print the tasks again every --interval seconds until interrupted.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2", paramLabel = "S",
            description = "Seconds between two prints with --watch (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        if (intervalSeconds < 1) {
            throw badOption("--interval must be >= 1 second (got " + intervalSeconds + ")");
        }
        ControllerStore controller = new ControllerStore(store);
        while (true) {
            List<Task> tasks = controller.tasks().stream().map(ControllerStore.TaskEntry::task).toList();
            if (json) {
                out.println(json(tasks));
            } else {
                if (watch) {
                    out.println(TaskTable.time(System.currentTimeMillis()) + "  controller: "
                            + controller.acting().orElse("none acting"));
                }
                out.print(TaskTable.list(cluster, tasks));
            }
            out.flush();
            if (!watch) {
                return 0;
            }
            try {
                Thread.sleep(intervalSeconds * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            out.println();
        }
    }

    static String json(Object records) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(ClusterJson.tree(records));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the tasks as JSON", e);
        }
    }
}
