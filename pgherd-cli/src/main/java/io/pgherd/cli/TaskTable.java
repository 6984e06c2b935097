package io.pgherd.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgherd.cluster.Task;

/**
 * What {@code pgherd tasks} and {@code pgherd task ID} print for the controller's durable tasks: one row per
 * task, or one task with its steps. Times are UTC to the second; an unset one shows as {@code -}. Pure;
 * thread-safe.
 */
final class TaskTable {
    private TaskTable() {
    }

    /** One row per task, sorted by id. */
    static String list(String cluster, List<Task> tasks) {
        if (tasks.isEmpty()) {
            return "no task in cluster " + cluster + "\n";
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("ID", "TYPE", "STATE", "PROGRESS", "STEP", "OWNER", "EPOCH", "UPDATED"));
        for (Task t : tasks) {
            table.add(List.of(t.id(), t.type(), state(t), t.progress() + "%", currentStep(t), text(t.owner()),
                    t.ownerEpoch() > 0 ? Long.toString(t.ownerEpoch()) : "-", time(t.updatedMillis())));
        }
        return Columns.format(table);
    }

    /** One task: what it is, who owns it, why it failed, then its steps. */
    static String detail(Task t) {
        StringBuilder out = new StringBuilder();
        out.append("task ").append(t.id()).append(" (").append(t.type()).append("): ").append(state(t)).append(", ")
                .append(t.progress()).append("% done\n");
        out.append("owner: ").append(text(t.owner())).append(t.ownerEpoch() > 0 ? " (epoch " + t.ownerEpoch() + ")" : "").append('\n');
        out.append("created: ").append(time(t.createdMillis())).append("  updated: ").append(time(t.updatedMillis()))
                .append("  finished: ").append(time(t.finishedMillis())).append('\n');
        out.append("parameters: ").append(parameters(t.parameters())).append('\n');
        if (t.cancelRequested()) {
            out.append("cancel requested\n");
        }
        if (t.error() != null) {
            out.append("error: ").append(t.error()).append('\n');
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("#", "STEP", "STATE", "STARTED", "FINISHED", "UNDONE", "ERROR"));
        for (int i = 0; i < t.steps().size(); i++) {
            Task.Step s = t.steps().get(i);
            table.add(List.of(Integer.toString(i + 1), s.name(), s.state() == Task.State.CANCELLED ? "undone" : s.state().label(),
                    time(s.startedMillis()), time(s.finishedMillis()), time(s.undoneMillis()),
                    s.error() == null && s.note() != null && s.state() == Task.State.RUNNING ? "waiting: " + s.note() : text(s.error())));
        }
        return out.append(Columns.format(table)).toString();
    }

    /** The state, with "rolling back" while a running task undoes its steps. */
    private static String state(Task t) {
        return t.state() == Task.State.RUNNING && t.rollingBack() ? "rolling back" : t.state().label();
    }

    /** The step running or next ({@code 2/3 clone}); {@code -} when the task has ended. */
    private static String currentStep(Task t) {
        if (t.finished()) {
            return "-";
        }
        List<Task.Step> steps = t.steps();
        for (int i = steps.size() - 1; i >= 0 && t.rollingBack(); i--) {
            Task.State s = steps.get(i).state();
            if (s == Task.State.SUCCEEDED || s == Task.State.RUNNING || s == Task.State.FAILED) {
                return (i + 1) + "/" + steps.size() + " " + steps.get(i).name();
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).state() != Task.State.SUCCEEDED) {
                return (i + 1) + "/" + steps.size() + " " + steps.get(i).name();
            }
        }
        return "-";
    }

    private static String parameters(Map<String, String> parameters) {
        return parameters.isEmpty() ? "-" : parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    static String time(long millis) {
        return millis <= 0 ? "-" : Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String text(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
