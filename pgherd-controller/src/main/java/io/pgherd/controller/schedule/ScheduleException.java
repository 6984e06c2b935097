package io.pgherd.controller.schedule;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request about schedules that {@link Schedules} refused, with nothing written: what kind of refusal (for an exit
 * code or an HTTP status) and, for invalid input, every problem with the field at fault and what was expected.
 */
public final class ScheduleException extends RuntimeException {

    /** Why it was refused. */
    public enum Kind {
        /** Bad input (CLI exit 2, HTTP 400): see {@link #problems()}. */
        INVALID,
        /** A schedule of that name exists (HTTP 409). */
        EXISTS,
        /** No schedule of that name (HTTP 404). */
        NOT_FOUND,
        /** The schedule kept changing under every compare-and-set try (HTTP 409; try again). */
        CONFLICT
    }

    /**
     * One problem of invalid input.
     *
     * @param field    the field at fault, as the API names it ({@code cron}, {@code zone}, {@code read_replicas}, ...)
     * @param message  one sentence
     * @param expected what the field must hold
     */
    public record Problem(String field, String message, String expected) {
    }

    private final Kind kind;
    private final List<Problem> problems;

    ScheduleException(Kind kind, String message) {
        this(kind, message, List.of());
    }

    private ScheduleException(Kind kind, String message, List<Problem> problems) {
        super(message, null, false, false);
        this.kind = kind;
        this.problems = List.copyOf(problems);
    }

    static ScheduleException invalid(List<Problem> problems) {
        return new ScheduleException(Kind.INVALID, problems.stream().map(Problem::message).collect(Collectors.joining("; ")),
                problems);
    }

    public Kind kind() {
        return kind;
    }

    /** Every problem of invalid input; empty for the other kinds. */
    public List<Problem> problems() {
        return problems;
    }
}
