package io.pgherd.controller.task;

/**
 * Thrown by a step (through {@link TaskContext#notYet}) that waits for something not there yet: the runner
 * records the sentence as the step's note, leaves the step running and runs it again on a later cycle. Not a
 * failure: nothing is rolled back. A step that waits too long fails by throwing anything else.
 */
public final class StepNotYetException extends RuntimeException {
    public StepNotYetException(String sentence) {
        super(sentence, null, false, false);
    }
}
