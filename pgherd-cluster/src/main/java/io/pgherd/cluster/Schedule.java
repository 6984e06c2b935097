package io.pgherd.cluster;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code schedules/<name>}: something the acting controller does at the due times of a cron expression in a
 * time zone (DESIGN.md §5), written by users (CLI, cluster API) with compare-and-set, and by the controller, fenced by
 * its epoch, when it fires it (the due time fired, so that it fires once). The cron expression and the zone are
 * checked by the writer ({@code io.pgherd.controller.schedule.Schedules}); this record only carries them.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param name the schedule's name (the key's last segment)
 * @param cron the cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first
 * @param zone the time zone the expression is read in (an IANA id such as {@code Europe/Berlin}, or {@code UTC})
 * @param action what firing does
 * @param missed what the controller does with a due time that passed while no controller acted
 * @param enabled whether it fires at all
 * @param sinceMillis due times at or before this never fire: when it was added, its expression or zone last changed,
 *                    or it was last enabled, epoch ms
 * @param lastFiredMillis the due time it last fired for, epoch ms; 0 before it fired
 * @param lastFiredTask the task that fired it then; null before it fired
 */
public record Schedule(@JsonProperty("format") int format,
                       @JsonProperty("name") String name,
                       @JsonProperty("cron") String cron,
                       @JsonProperty("zone") String zone,
                       @JsonProperty("action") Action action,
                       @JsonProperty("missed") Missed missed,
                       @JsonProperty("enabled") boolean enabled,
                       @JsonProperty("since") long sinceMillis,
                       @JsonProperty("last_fired") long lastFiredMillis,
                       @JsonProperty("last_fired_task") @JsonInclude(JsonInclude.Include.NON_NULL) String lastFiredTask) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    public Schedule {
        missed = missed == null ? Missed.SKIP : missed;
        action = action == null ? new Action(Action.Kind.UNKNOWN, 0) : action;
    }

    /** A new enabled schedule that has never fired; due times at or before {@code nowMillis} never fire. */
    public static Schedule of(String name, String cron, String zone, Action action, Missed missed, long nowMillis) {
        return new Schedule(FORMAT, name, cron, zone, action, missed, true, nowMillis, 0, null);
    }

    /** This schedule having fired for the due time {@code dueMillis} through {@code task}. */
    public Schedule fired(long dueMillis, String task) {
        return new Schedule(format, name, cron, zone, action, missed, enabled, sinceMillis, dueMillis, task);
    }

    /**
     * This schedule enabled or disabled; enabling it anew starts at {@code nowMillis} (the due times it passed while
     * disabled never fire).
     */
    public Schedule enabled(boolean on, long nowMillis) {
        long since = on && !enabled ? nowMillis : sinceMillis;
        return new Schedule(format, name, cron, zone, action, missed, on, since, lastFiredMillis, lastFiredTask);
    }

    /** Whether this release can act on it: its format and its action are known. */
    public boolean understood() {
        return format <= FORMAT && action.kind() != Action.Kind.UNKNOWN;
    }

    /**
     * What firing a schedule does. Only {@link Kind#SET_READ_REPLICAS} exists yet; starting a backup or a restore test
     * will be further kinds.
     *
     * @param kind what it does ({@link Kind#UNKNOWN}: written by a newer release; not acted on)
     * @param readReplicas for {@link Kind#SET_READ_REPLICAS}: the desired number of read replicas it sets
     */
    public record Action(@JsonProperty("kind") Kind kind,
                         @JsonProperty("read_replicas") int readReplicas) {
        public Action {
            kind = kind == null ? Kind.UNKNOWN : kind;
        }

        /** Sets {@code spec.read_replicas} to {@code n}. */
        public static Action setReadReplicas(int n) {
            return new Action(Kind.SET_READ_REPLICAS, n);
        }

        /** As shown to users: {@code read_replicas=4}. */
        public String describe() {
            return switch (kind) {
                case SET_READ_REPLICAS -> "read_replicas=" + readReplicas;
                case UNKNOWN -> "unknown (written by a newer pgherd)";
            };
        }

        /** The kinds of action. */
        public enum Kind {
            @JsonProperty("set_read_replicas") SET_READ_REPLICAS,
            @JsonEnumDefaultValue UNKNOWN
        }
    }

    /** What the controller does with a due time that passed while no controller acted (unknown values read as skip). */
    public enum Missed {
        /** Nothing: the schedule fires again at its next due time. */
        @JsonProperty("skip") @JsonEnumDefaultValue SKIP,
        /** Fires once, for the latest due time missed, when a controller acts again. */
        @JsonProperty("fire_once") FIRE_ONCE;

        /** As written on the command line and in JSON: {@code skip}, {@code fire-once}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
