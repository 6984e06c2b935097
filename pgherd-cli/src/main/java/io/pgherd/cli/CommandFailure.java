package io.pgherd.cli;

/**
 * A command could not do what was asked (a refused request, a store that did not answer). Its
 * message is the one line {@link Main} prints after {@code pgherd: } on standard error, with exit
 * code 1; it says what failed and, for a write, whether it may have happened.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
