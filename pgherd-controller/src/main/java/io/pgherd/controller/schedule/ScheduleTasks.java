package io.pgherd.controller.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.ScheduleStore;
import io.pgherd.cluster.ScheduleStore.ScheduleEntry;
import io.pgherd.cluster.Spec;
import io.pgherd.cluster.Task;
import io.pgherd.controller.task.FencedWriteRefusedException;
import io.pgherd.controller.task.TaskContext;
import io.pgherd.controller.task.TaskType;
import io.pgherd.controller.task.TaskType.Takeover;

/**
 * The task type {@value #TYPE}: fires one schedule for one due time, in two idempotent steps that a controller taking
 * over resumes. Step 1 records the due time in the schedule ({@code last_fired}) with a compare-and-set fenced by the
 * controller's epoch: a task finding it already recorded by itself goes on, one finding it recorded by another task
 * fails (so a due time is acted on once, whoever made the task). Step 2 sets {@code spec.read_replicas} (fenced
 * compare-and-set; nothing when it already has the value). Undoing either writes nothing: a due time is fired once; a
 * fire that failed says why in its task and is not tried again.
 */
public final class ScheduleTasks {
    /** The task type's name. */
    public static final String TYPE = "fire_schedule";
    /** Parameter: the schedule's name. */
    public static final String SCHEDULE = "schedule";
    /** Parameter: the due time fired for, epoch ms. */
    public static final String DUE = "due";
    /** Parameter: the due time fired for, ISO-8601 (for people). */
    public static final String DUE_AT = "due_at";
    /** Parameter: the desired read replicas the action sets (as the schedule said when the task was made). */
    public static final String READ_REPLICAS = "read_replicas";
    /** Parameter recorded by step 2: {@code spec.read_replicas} before (absent: no spec). */
    public static final String WAS = "read_replicas_before";

    private ScheduleTasks() {
    }

    /** The task type. */
    public static TaskType type() {
        return new TaskType(TYPE, List.of(
                new TaskType.Step("record_fired", ScheduleTasks::recordFired, context -> { }, Takeover.RESUME),
                new TaskType.Step("set_read_replicas", ScheduleTasks::setReadReplicas, context -> { }, Takeover.RESUME)));
    }

    /** The parameters of the task firing {@code schedule} for {@code dueMillis}. */
    public static Map<String, String> parameters(Schedule schedule, long dueMillis) {
        return Map.of(SCHEDULE, schedule.name(), DUE, Long.toString(dueMillis), DUE_AT, Instant.ofEpochMilli(dueMillis).toString(),
                READ_REPLICAS, Integer.toString(schedule.action().readReplicas()));
    }

    /** The schedule a task of this type fires; empty for another task. */
    public static Optional<String> scheduleOf(Task task) {
        return TYPE.equals(task.type()) ? Optional.ofNullable(task.parameters().get(SCHEDULE)) : Optional.empty();
    }

    /** The due time a task of this type fires for; empty for another task or an unreadable parameter. */
    public static Optional<Long> dueOf(Task task) {
        try {
            return scheduleOf(task).map(s -> Long.parseLong(task.parameters().get(DUE)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void recordFired(TaskContext context) {
        String name = context.parameter(SCHEDULE);
        long due = Long.parseLong(context.parameter(DUE));
        ScheduleStore schedules = new ScheduleStore(context.cluster());
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            ScheduleEntry read = schedules.get(name).orElseThrow(() -> new IllegalStateException("schedule " + name
                    + " was removed (or cannot be read) before it fired"));
            Schedule s = read.schedule();
            if (s.lastFiredMillis() == due && context.taskId().equals(s.lastFiredTask())) {
                return;
            }
            if (s.lastFiredMillis() >= due) {
                throw new IllegalStateException("schedule " + name + " was already fired for " + Instant.ofEpochMilli(
                        s.lastFiredMillis()) + " by task " + s.lastFiredTask() + ": not firing it again");
            }
            if (!s.enabled() || s.sinceMillis() >= due) {
                throw new IllegalStateException("schedule " + name + " was " + (s.enabled() ? "changed" : "disabled")
                        + " after this due time: not firing it");
            }
            if (schedules.replace(read, s.fired(due, context.taskId()), context.fence())) {
                return;
            }
        }
        throw new FencedWriteRefusedException("schedule " + name + ": the due time fired was not recorded: the write was"
                + " refused (controller epoch " + context.fence().epoch() + " no longer current, or the schedule kept changing)");
    }

    private static void setReadReplicas(TaskContext context) {
        int n = Integer.parseInt(context.parameter(READ_REPLICAS));
        ClusterStore cluster = context.cluster();
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            ClusterStore.SpecRead read = cluster.readSpec();
            if (read.spec().filter(s -> s.format() > Spec.FORMAT).isPresent()) {
                throw new IllegalStateException("the cluster's spec was written by a newer pgherd (format "
                        + read.spec().get().format() + "): not changing it");
            }
            if (read.spec().map(Spec::readReplicas).equals(Optional.of(n))) {
                return;
            }
            Spec next = new Spec(Spec.FORMAT, n, read.spec().map(Spec::autoscaling).orElse(null));
            if (cluster.writeSpec(read.revision(), next, context.fence())) {
                context.putParameter(WAS, read.spec().map(s -> Integer.toString(s.readReplicas())).orElse("none"));
                return;
            }
        }
        throw new FencedWriteRefusedException("spec.read_replicas not set to " + n + ": the write was refused (controller epoch "
                + context.fence().epoch() + " no longer current, or the spec kept changing)");
    }
}
