package io.pgherd.controller.replicas;

/** A step that cannot succeed: the task fails with this message (one clear line) and is rolled back. */
public final class StepFailure extends RuntimeException {
    public StepFailure(String message) {
        super(message);
    }

    public StepFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
