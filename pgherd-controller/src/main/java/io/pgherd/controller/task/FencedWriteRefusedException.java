package io.pgherd.controller.task;

/** A write fenced by the controller epoch was refused: the controller was deposed, or the key kept changing. */
public final class FencedWriteRefusedException extends IllegalStateException {
    public FencedWriteRefusedException(String message) {
        super(message);
    }
}
