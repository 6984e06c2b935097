package io.pgherd.controller;

import java.util.Map;

import io.pgherd.controller.task.TaskType;

/**
 * A task a {@link Reconciler} asks for.
 *
 * @param type       what to run
 * @param parameters what it works on
 * @param sentence   why, logged when the task is created
 */
public record TaskRequest(TaskType type, Map<String, String> parameters, String sentence) {
    public TaskRequest {
        parameters = Map.copyOf(parameters);
    }
}
