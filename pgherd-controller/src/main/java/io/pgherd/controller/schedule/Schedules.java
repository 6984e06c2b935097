package io.pgherd.controller.schedule;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Schedule;
import io.pgherd.cluster.ScheduleStore;
import io.pgherd.cluster.ScheduleStore.ScheduleEntry;
import io.pgherd.controller.requests.ScaleRequest;
import io.pgherd.dcs.ClusterKeys;

/**
 * What users do with schedules, for the CLI ({@code pgherd schedule}) and the cluster API ({@code /api/v1/schedules})
 * alike: add one (every field checked first: nothing is written unless all are valid), list, remove, enable, disable.
 * Writes are compare-and-sets on {@code schedules/<name>}; a refusal is a {@link ScheduleException} with nothing
 * written. Thread-safe (the store is).
 */
public final class Schedules {
    /** The most read replicas a schedule sets (as {@code pgherd scale}). */
    public static final int MAX_READ_REPLICAS = ScaleRequest.MAX_READ_REPLICAS;
    /** The time zone of a schedule that names none. */
    public static final String DEFAULT_ZONE = "UTC";
    /** The policy of a schedule that names none: after a controller outage the count is what the schedule says. */
    public static final Schedule.Missed DEFAULT_MISSED = Schedule.Missed.FIRE_ONCE;

    private final ScheduleStore store;
    private final Clock clock;

    public Schedules(ClusterStore cluster, Clock clock) {
        this.store = new ScheduleStore(cluster);
        this.clock = clock;
    }

    /**
     * A schedule to add, as a user gives it.
     *
     * @param name         its name: 1 to 128 letters, digits or {@code -_.:@}
     * @param cron         5 fields, or 6 with seconds first
     * @param zone         null: {@value #DEFAULT_ZONE}
     * @param readReplicas the read replicas it sets, 0 to {@value #MAX_READ_REPLICAS}; null: missing
     * @param missed       {@code skip} or {@code fire-once} (also {@code fire_once}); null: {@code fire-once}
     */
    public record Request(String name, String cron, String zone, Integer readReplicas, String missed) {
    }

    /**
     * Every problem of {@code request}, in the order of its fields; empty when it can be added. Pure.
     */
    public static List<ScheduleException.Problem> problems(Request request) {
        List<ScheduleException.Problem> out = new ArrayList<>();
        try {
            new ClusterKeys("x").schedule(request.name());
        } catch (IllegalArgumentException e) {
            out.add(new ScheduleException.Problem("name", "name must be 1 to 128 letters, digits or '-_.:@' (got "
                    + (request.name() == null ? "none" : "'" + request.name() + "'") + ")", "1 to 128 letters, digits or '-_.:@'"));
        }
        String zone = request.zone() == null ? DEFAULT_ZONE : request.zone();
        String zoneProblem = null;
        try {
            Cron.zone(zone);
        } catch (IllegalArgumentException e) {
            zoneProblem = e.getMessage();
        }
        try {
            // A bad zone is its own problem: the expression is checked in UTC then.
            Cron.parse(request.cron(), zoneProblem == null ? zone : DEFAULT_ZONE);
        } catch (IllegalArgumentException e) {
            out.add(new ScheduleException.Problem("cron", e.getMessage(), "5 fields (minute hour day-of-month month day-of-week)"
                    + " or 6 (second first), such as '0 8 * * 1-5'"));
        }
        if (zoneProblem != null) {
            out.add(new ScheduleException.Problem("zone", zoneProblem, "an IANA time zone such as Europe/Berlin, or UTC"));
        }
        if (request.readReplicas() == null) {
            out.add(new ScheduleException.Problem("read_replicas", "the read replicas to set are missing", "0 to "
                    + MAX_READ_REPLICAS));
        } else if (request.readReplicas() < 0 || request.readReplicas() > MAX_READ_REPLICAS) {
            out.add(new ScheduleException.Problem("read_replicas", "read replicas must be 0 to " + MAX_READ_REPLICAS + " (got "
                    + request.readReplicas() + ")", "0 to " + MAX_READ_REPLICAS));
        }
        if (request.missed() != null && missed(request.missed()).isEmpty()) {
            out.add(new ScheduleException.Problem("missed", "missed must be skip or fire-once (got '" + request.missed() + "')",
                    "skip or fire-once"));
        }
        return out;
    }

    /**
     * Adds an enabled schedule; its first due time is the first after now.
     *
     * @return the schedule written
     * @throws ScheduleException {@code INVALID} listing every problem, or {@code EXISTS}; nothing written
     */
    public Schedule add(Request request) {
        List<ScheduleException.Problem> problems = problems(request);
        if (!problems.isEmpty()) {
            throw ScheduleException.invalid(problems);
        }
        Cron cron = Cron.parse(request.cron(), request.zone() == null ? DEFAULT_ZONE : request.zone());
        Schedule schedule = Schedule.of(request.name(), cron.expression(), cron.zone().getId(),
                Schedule.Action.setReadReplicas(request.readReplicas()),
                request.missed() == null ? DEFAULT_MISSED : missed(request.missed()).orElseThrow(), clock.millis());
        if (!store.create(schedule)) {
            throw new ScheduleException(ScheduleException.Kind.EXISTS, "a schedule named " + request.name()
                    + " exists ('pgherd schedule list'); remove it first; nothing was changed");
        }
        return schedule;
    }

    /** Every readable schedule, sorted by name. */
    public List<Schedule> list() {
        return store.list().stream().map(ScheduleEntry::schedule).toList();
    }

    /** One schedule; empty when there is none of that name (or it cannot be read). */
    public Optional<Schedule> get(String name) {
        return validName(name) ? store.get(name).map(ScheduleEntry::schedule) : Optional.empty();
    }

    /**
     * Removes a schedule (a task firing it goes on).
     *
     * @throws ScheduleException {@code NOT_FOUND}, or {@code CONFLICT}
     */
    public Schedule remove(String name) {
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            ScheduleEntry read = read(name);
            if (store.delete(read)) {
                return read.schedule();
            }
        }
        throw conflict(name);
    }

    /**
     * Enables or disables a schedule. Enabled anew, it counts from now: the due times it passed while disabled never fire.
     *
     * @return the schedule as written (unchanged when it already was)
     * @throws ScheduleException {@code NOT_FOUND}, or {@code CONFLICT}
     */
    public Schedule enable(String name, boolean on) {
        for (int attempt = 0; attempt < ClusterStore.MAX_TRIES; attempt++) {
            ScheduleEntry read = read(name);
            if (read.schedule().enabled() == on) {
                return read.schedule();
            }
            Schedule next = read.schedule().enabled(on, clock.millis());
            if (store.replace(read, next)) {
                return next;
            }
        }
        throw conflict(name);
    }

    /** When a schedule is next due after {@code now}; empty when disabled or not readable by this release. */
    public static Optional<Instant> next(Schedule schedule, Instant now) {
        if (!schedule.enabled() || !schedule.understood()) {
            return Optional.empty();
        }
        try {
            return Cron.parse(schedule.cron(), schedule.zone()).next(now);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code skip}, {@code fire-once} or {@code fire_once}. */
    static Optional<Schedule.Missed> missed(String value) {
        return switch (value.strip()) {
            case "skip" -> Optional.of(Schedule.Missed.SKIP);
            case "fire-once", "fire_once" -> Optional.of(Schedule.Missed.FIRE_ONCE);
            default -> Optional.empty();
        };
    }

    private ScheduleEntry read(String name) {
        if (!validName(name)) {
            throw notFound(name);
        }
        return store.get(name).orElseThrow(() -> notFound(name));
    }

    private static boolean validName(String name) {
        try {
            new ClusterKeys("x").schedule(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ScheduleException notFound(String name) {
        return new ScheduleException(ScheduleException.Kind.NOT_FOUND, "no schedule named " + name
                + " ('pgherd schedule list' lists them)");
    }

    private static ScheduleException conflict(String name) {
        return new ScheduleException(ScheduleException.Kind.CONFLICT, "schedule " + name + " kept changing under "
                + ClusterStore.MAX_TRIES + " compare-and-set tries; nothing was written, try again");
    }
}
