package io.pgherd.controller.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.ToLongFunction;

import io.pgherd.cluster.Task;
import io.pgherd.controller.metrics.ControllerStatus.Replicas;
import io.pgherd.controller.metrics.ControllerStatus.TypeState;
import io.pgherd.controller.schedule.ScheduleTasks;

/**
 * A controller's status in the Prometheus text format (version 0.0.4), as the agents' {@code /metrics}: every sample
 * labelled with {@code cluster} and {@code controller}; a value the controller has not read (a standby reads no
 * replicas or tasks, no spec means no desired count) is left out rather than shown as a number. Pure.
 */
public final class ControllerMetrics {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private ControllerMetrics() {
    }

    /** The text for {@code status} at {@code nowMillis} (the last cycle's age is counted from it). */
    public static String render(ControllerStatus status, long nowMillis) {
        String labels = "cluster=\"" + escape(status.cluster()) + "\",controller=\"" + escape(status.name()) + "\"";
        StringBuilder out = new StringBuilder(2048);
        gauge(out, labels, "pgherd_controller_acting", "1 if this controller acted in its last cycle (held the controller"
                + " key in the current epoch), 0 if it stands by.", status.acting() ? 1 : 0);
        if (status.epoch().isPresent()) {
            gauge(out, labels, "pgherd_controller_epoch", "The controller epoch as this controller last read it (the fencing"
                    + " token of the acting controller's writes).", status.epoch().getAsLong());
        }
        header(out, "pgherd_controller_acting_since_timestamp_seconds", "When this controller took the controller key,"
                + " Unix time; 0 while it does not act.", "gauge");
        out.append("pgherd_controller_acting_since_timestamp_seconds{").append(labels).append("} ")
                .append(seconds(status.actingSinceMillis())).append('\n');
        if (status.lastCycleMillis() > 0) {
            header(out, "pgherd_controller_last_cycle_age_seconds", "Time since this controller's last cycle ended.", "gauge");
            out.append("pgherd_controller_last_cycle_age_seconds{").append(labels).append("} ")
                    .append(seconds(Math.max(0, nowMillis - status.lastCycleMillis()))).append('\n');
        }
        if (status.replicas().isPresent()) {
            Replicas r = status.replicas().get();
            if (r.desired().isPresent()) {
                gauge(out, labels, "pgherd_controller_read_replicas_desired", "spec.read_replicas: the read replicas the"
                        + " controller keeps.", r.desired().getAsInt());
            }
            gauge(out, labels, "pgherd_controller_read_replicas_running", "Read replicas whose PostgreSQL runs (members"
                    + " tagged nofailover, not spares, not the leader).", r.running());
            gauge(out, labels, "pgherd_controller_spares", "Spare agents waiting for an assignment.", r.spares());
            gauge(out, labels, "pgherd_controller_draining", "Members taking no new reads (being removed).", r.draining());
            labelled(out, labels, "pgherd_controller_tasks", "Tasks in the DCS by type and state (finished ones are kept"
                    + " up to controller.keep_tasks).", "gauge", "state", status.tasks(), Integer::longValue);
        }
        labelled(out, labels, "pgherd_controller_task_outcomes_total", "Tasks this controller finished since it started,"
                + " by type and outcome (succeeded, failed, cancelled).", "counter", "outcome", status.outcomes(), Long::longValue);
        header(out, "pgherd_controller_tasks_pruned_total", "Finished tasks this controller deleted (beyond"
                + " controller.keep_tasks) since it started.", "counter");
        out.append("pgherd_controller_tasks_pruned_total{").append(labels).append("} ").append(status.pruned()).append('\n');
        header(out, "pgherd_controller_schedules_fired_total", "Schedule due times this controller fired since it started"
                + " (its " + ScheduleTasks.TYPE + " tasks that succeeded; each due time is fired once, by one controller).", "counter");
        out.append("pgherd_controller_schedules_fired_total{").append(labels).append("} ")
                .append(status.outcomes().getOrDefault(new TypeState(ScheduleTasks.TYPE, Task.State.SUCCEEDED.label()), 0L))
                .append('\n');
        return out.toString();
    }

    private static <V> void labelled(StringBuilder out, String labels, String name, String help, String type, String second,
                                     SortedMap<TypeState, V> values, ToLongFunction<V> value) {
        header(out, name, help, type);
        for (Map.Entry<TypeState, V> e : values.entrySet()) {
            out.append(name).append('{').append(labels).append(",type=\"").append(escape(e.getKey().type())).append("\",")
                    .append(second).append("=\"").append(escape(e.getKey().state())).append("\"} ")
                    .append(value.applyAsLong(e.getValue())).append('\n');
        }
    }

    private static void gauge(StringBuilder out, String labels, String name, String help, long value) {
        header(out, name, help, "gauge");
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** A label value as the text format wants it: backslash, quote and newline escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
