package io.pgherd.controller.task;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import io.pgherd.cluster.Task;

/**
 * Which finished tasks the acting controller deletes: all but the newest {@code keep} finished ones (by finish
 * time, then id), except those a reconciler still reads ({@code retained}: the task that says a replica is the
 * controller's, for example). A task that runs or waits is never deleted. Pure.
 */
public final class TaskPruning {
    private TaskPruning() {
    }

    /**
     * @param tasks every task in the DCS
     * @param keep how many finished tasks to keep at least
     * @param retained ids of tasks never to delete, whatever their age
     * @return the ids of the tasks to delete, oldest first
     */
    public static List<String> toDelete(Collection<Task> tasks, int keep, Set<String> retained) {
        Comparator<Task> newestFirst = Comparator.comparingLong(Task::finishedMillis).reversed()
                .thenComparing(Task::id, Comparator.reverseOrder());
        List<Task> finished = tasks.stream().filter(Task::finished).sorted(newestFirst).toList();
        if (finished.size() <= keep) {
            return List.of();
        }
        return finished.subList(keep, finished.size()).stream().filter(t -> !retained.contains(t.id()))
                .sorted(newestFirst.reversed()).map(Task::id).toList();
    }
}
