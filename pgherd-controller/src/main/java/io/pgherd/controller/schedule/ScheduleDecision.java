package io.pgherd.controller.schedule;

/**
 * What {@link ScheduleRules} decided for one schedule at one moment.
 *
 * @param fire      whether to fire it now (create its task)
 * @param schedule  its name
 * @param dueMillis the due time to fire for, epoch ms; 0 when not firing
 * @param sentence  why, in one sentence (logged when it changes)
 */
public record ScheduleDecision(boolean fire, String schedule, long dueMillis, String sentence) {

    static ScheduleDecision fire(String schedule, long dueMillis, String sentence) {
        return new ScheduleDecision(true, schedule, dueMillis, sentence);
    }

    static ScheduleDecision none(String schedule, String sentence) {
        return new ScheduleDecision(false, schedule, 0, sentence);
    }
}
