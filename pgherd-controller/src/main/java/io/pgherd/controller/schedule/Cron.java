package io.pgherd.controller.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A schedule's cron expression read in its time zone, by cron-utils: 5 fields as crontab(5) has them (minute, hour,
 * day of month, month, day of week 0-7 with 0 and 7 Sunday, names allowed), or 6 with a seconds field first. The due
 * times are instants: a local time that a DST change skips is not due that day (cron-utils skips it), and one that a
 * DST change repeats is due once, at its first instant (see {@code CronTest}).
 * Immutable, thread-safe.
 */
public final class Cron {

    private static final CronParser MINUTES = new CronParser(definition(false));
    private static final CronParser SECONDS = new CronParser(definition(true));
    /** Expressions read lately, by expression and zone: the controller reads each schedule's every cycle. */
    private static final Map<String, Cron> READ = new ConcurrentHashMap<>();
    private static final int READ_KEPT = 256;

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime times;

    private Cron(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.times = times;
    }

    /**
     * Reads an expression in a zone.
     *
     * @throws IllegalArgumentException one line saying what is wrong: the number of fields, the field the library
     *                                  refused, the unknown zone, or an expression that is never due
     */
    public static Cron parse(String expression, String zone) {
        Cron read = READ.get(expression + "\n" + zone);
        if (read != null) {
            return read;
        }
        Cron cron = read(expression, zone);
        if (READ.size() >= READ_KEPT) {
            READ.clear();
        }
        READ.put(expression + "\n" + zone, cron);
        return cron;
    }

    private static Cron read(String expression, String zone) {
        ZoneId zoneId = zone(zone);
        String trimmed = expression == null ? "" : expression.strip().replaceAll("\\s+", " ");
        int fields = trimmed.isEmpty() ? 0 : trimmed.split(" ").length;
        if (fields != 5 && fields != 6) {
            throw new IllegalArgumentException("cron expression '" + trimmed + "' has " + fields + " field" + (fields == 1 ? "" : "s")
                    + "; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)");
        }
        ExecutionTime times;
        try {
            times = ExecutionTime.forCron((fields == 6 ? SECONDS : MINUTES).parse(trimmed).validate());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron expression '" + trimmed + "' is not valid: " + firstLine(e.getMessage()));
        }
        Cron cron = new Cron(trimmed, zoneId, times);
        if (cron.next(Instant.EPOCH.plusSeconds(1_700_000_000L)).isEmpty()) {
            throw new IllegalArgumentException("cron expression '" + trimmed + "' is never due");
        }
        return cron;
    }

    /**
     * A time zone by its IANA name ({@code Europe/Berlin}), {@code UTC}, or a fixed offset ({@code +02:00}).
     *
     * @throws IllegalArgumentException one line naming it, when unknown
     */
    public static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            throw new IllegalArgumentException("time zone is empty; expected an IANA name such as Europe/Berlin, or UTC");
        }
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + zone.strip() + "'; expected an IANA name such as"
                    + " Europe/Berlin, or UTC");
        }
    }

    /**
     * The latest due time at or before {@code now}; empty when there was none within the library's reach. A local time
     * that a DST change repeats is one due time, its first instant: an hour after the change this still answers the
     * instant before it, so that a schedule fires once, not at both.
     */
    public Optional<Instant> latestAtOrBefore(Instant now) {
        // Due times are whole seconds: the last one strictly before the next second is the last one at or before now.
        ZonedDateTime bound = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone);
        return times.lastExecution(bound).map(due -> ZonedDateTime.ofLocal(due.toLocalDateTime(), zone, null).toInstant());
    }

    /** The first due time after {@code after}. */
    public Optional<Instant> next(Instant after) {
        return times.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }

    /** crontab(5)'s fields, with a seconds field first when {@code seconds}. */
    private static CronDefinition definition(boolean seconds) {
        var builder = CronDefinitionBuilder.defineCron();
        if (seconds) {
            builder = builder.withSeconds().withStrictRange().and();
        }
        return builder.withMinutes().withStrictRange().and()
                .withHours().withStrictRange().and()
                .withDayOfMonth().withStrictRange().and()
                .withMonth().withStrictRange().and()
                .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
                .instance();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "refused";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
