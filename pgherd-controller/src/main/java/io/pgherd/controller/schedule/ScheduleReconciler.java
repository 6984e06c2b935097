package io.pgherd.controller.schedule;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.Task;
import io.pgherd.controller.Reconciler;
import io.pgherd.controller.TaskRequest;
import io.pgherd.controller.task.TaskType;

/**
 * Fires the due schedules: each cycle {@link ScheduleRules} decides, for every schedule of the snapshot (the cycle's
 * one read: no read of its own), whether it fires now, and the first that does becomes a {@value ScheduleTasks#TYPE}
 * task (the others on the next cycles, which follow at once). A schedule's sentence is logged when it changes.
 */
public final class ScheduleReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(ScheduleReconciler.class);

    private final TaskType type;
    private final Duration onTime;
    private final Map<String, String> lastSentence = new HashMap<>();

    /**
     * @param type   the task type ({@link ScheduleTasks#type()})
     * @param onTime how late a due time still counts as on time ({@link ScheduleRules#onTime})
     */
    public ScheduleReconciler(TaskType type, Duration onTime) {
        this.type = type;
        this.onTime = onTime;
    }

    @Override
    public Optional<TaskRequest> reconcile(ClusterSnapshot snapshot, long nowMillis) {
        Map<String, List<Task>> tasks = tasks(snapshot);
        lastSentence.keySet().retainAll(snapshot.schedules().keySet());
        Optional<TaskRequest> request = Optional.empty();
        for (Schedule schedule : snapshot.schedules().values()) {
            ScheduleDecision d = ScheduleRules.decide(schedule, tasks.getOrDefault(schedule.name(), List.of()), nowMillis, onTime);
            if (!d.fire() && !d.sentence().equals(lastSentence.put(schedule.name(), d.sentence()))) {
                log.info("schedule {}: {}", schedule.name(), d.sentence());
            }
            if (d.fire() && request.isEmpty()) {
                lastSentence.remove(schedule.name());
                request = Optional.of(new TaskRequest(type, ScheduleTasks.parameters(schedule, d.dueMillis()),
                        "schedule " + schedule.name() + ": " + d.sentence()));
            }
        }
        return request;
    }

    /** The newest task of each schedule, which tells the rules a due time was already fired (or failed to). */
    @Override
    public Set<String> retainedTasks(ClusterSnapshot snapshot, long nowMillis) {
        Set<String> keep = new HashSet<>();
        tasks(snapshot).values().forEach(list -> list.stream().max(Comparator.comparing((Task t) -> ScheduleTasks.dueOf(t).orElse(0L))
                .thenComparing(Task::createdMillis)).ifPresent(t -> keep.add(t.id())));
        return keep;
    }

    /** The {@value ScheduleTasks#TYPE} tasks of the snapshot, by schedule. */
    static Map<String, List<Task>> tasks(ClusterSnapshot snapshot) {
        Map<String, List<Task>> out = new HashMap<>();
        for (Task t : snapshot.tasks().values()) {
            ScheduleTasks.scheduleOf(t).ifPresent(s -> out.computeIfAbsent(s, k -> new ArrayList<>()).add(t));
        }
        return out;
    }
}
