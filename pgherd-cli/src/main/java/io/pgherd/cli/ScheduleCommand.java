package io.pgherd.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Schedule;
import io.pgherd.controller.schedule.ScheduleException;
import io.pgherd.controller.schedule.Schedules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgherd schedule add|list|remove|enable|disable}: the schedules the acting controller fires (each due time once,
 * as a {@code fire_schedule} task), written in the DCS through {@link Schedules} (what the cluster API's
 * {@code /api/v1/schedules} calls too). {@code pgherd schedule} alone lists them. Bad input is one line listing every
 * problem, exit 2, nothing written; an existing or unknown name is one line, exit 1.
 */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        subcommands = {ScheduleCommand.Add.class, ScheduleCommand.Remove.class, ScheduleCommand.Enable.class,
                ScheduleCommand.Disable.class},
        description = {"List the schedules: at each due time of a cron expression in a time zone, the acting controller"
                + " sets the desired read replicas (as 'pgherd scale' does), once per due time, also across a controller"
                + " takeover.",
                "A later 'pgherd scale' stands until the next due time of a schedule: the latest write wins.",
                "'pgherd schedule add NAME --cron EXPR --replicas N' adds one; 'remove', 'enable', 'disable' NAME."})
final class ScheduleCommand extends HaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        List<Schedule> all = new Schedules(store, Clock.systemUTC()).list();
        if (json) {
            out.println(TasksCommand.json(all));
        } else if (all.isEmpty()) {
            out.println("no schedules in cluster " + cluster + " ('pgherd schedule add NAME --cron EXPR --replicas N' adds one)");
        } else {
            out.print(table(all, Instant.now()));
        }
        return 0;
    }

    /** The schedules as a table: name, expression, zone, action, missed-run policy, state, next and last due time. */
    static String table(List<Schedule> schedules, Instant now) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "CRON", "ZONE", "ACTION", "MISSED", "ENABLED", "NEXT", "LAST FIRED"));
        for (Schedule s : schedules) {
            rows.add(List.of(s.name(), s.cron(), s.zone(), s.action().describe(), s.missed().label(), s.enabled() ? "yes" : "no",
                    Schedules.next(s, now).map(Instant::toString).orElse("-"),
                    s.lastFiredMillis() == 0 ? "-" : Instant.ofEpochMilli(s.lastFiredMillis()).toString()));
        }
        return Columns.format(rows);
    }

    /** The one line of a refusal: exit 2 for bad input (printed here, without the usage), else a failure (exit 1). */
    int refused(ScheduleException e, String command) {
        if (e.kind() == ScheduleException.Kind.INVALID) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("pgherd: " + e.getMessage() + "; nothing was changed; see 'pgherd schedule " + command + " --help'");
            err.flush();
            return 2;
        }
        throw new CommandFailure(e.getMessage());
    }

    /** {@code pgherd schedule add NAME --cron EXPR [--zone Z] --replicas N [--missed skip|fire-once]}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a schedule: at each due time of --cron in --zone the acting controller sets the desired"
                    + " read replicas to --replicas. Example, 4 read replicas on weekdays 08:00-20:00 and 2 otherwise:",
                    "  pgherd schedule add weekday-up --cron '0 8 * * 1-5' --zone Europe/Berlin --replicas 4",
                    "  pgherd schedule add weekday-down --cron '0 20 * * 1-5' --zone Europe/Berlin --replicas 2",
                    "A due time passed while no controller acted fires once when one acts again (--missed fire-once, the"
                            + " default: only the latest missed one), or not at all (--missed skip)."})
    static final class Add extends HaCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name: 1 to 128 letters, digits or '-_.:@'.")
        String name;

        @Option(names = "--cron", required = true, paramLabel = "EXPR",
                description = "5 fields: minute hour day-of-month month day-of-week (0-7, 0 and 7 Sunday; MON-FRI allowed),"
                        + " or 6 with a seconds field first.")
        String cron;

        @Option(names = "--zone", paramLabel = "Z", description = "The time zone the expression is read in: an IANA name"
                + " such as Europe/Berlin (default: " + Schedules.DEFAULT_ZONE + ").")
        String zone;

        @Option(names = "--replicas", required = true, paramLabel = "N",
                description = "The desired read replicas it sets, 0 to " + Schedules.MAX_READ_REPLICAS + ".")
        int replicas;

        @Option(names = "--missed", paramLabel = "skip|fire-once", description = "What a due time missed while no controller"
                + " acted does: fire-once (default) or skip.")
        String missed;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            Schedule added;
            try {
                added = new Schedules(store, Clock.systemUTC()).add(new Schedules.Request(name, cron, zone, replicas, missed));
            } catch (ScheduleException e) {
                return ((ScheduleCommand) spec.parent().userObject()).refused(e, "add");
            }
            out.println("schedule " + added.name() + " added: " + added.action().describe() + " at '" + added.cron() + "' ("
                    + added.zone() + "), next due at " + Schedules.next(added, Instant.now()).map(Instant::toString).orElse("never")
                    + "; missed runs: " + added.missed().label());
            return 0;
        }
    }

    /** {@code pgherd schedule remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a schedule (a task already firing it finishes).")
    static final class Remove extends HaCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name.")
        String name;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            try {
                new Schedules(store, Clock.systemUTC()).remove(name);
            } catch (ScheduleException e) {
                return ((ScheduleCommand) spec.parent().userObject()).refused(e, "remove");
            }
            out.println("schedule " + name + " removed");
            return 0;
        }
    }

    /** {@code pgherd schedule enable NAME}. */
    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Enable a schedule; it fires from its next due time on (none it passed while disabled).")
    static final class Enable extends HaCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name.")
        String name;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            return toggle(this, store, out, name, true);
        }
    }

    /** {@code pgherd schedule disable NAME}. */
    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a schedule: it does not fire until enabled.")
    static final class Disable extends HaCommand {
        @Parameters(paramLabel = "NAME", description = "The schedule's name.")
        String name;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            return toggle(this, store, out, name, false);
        }
    }

    private static int toggle(HaCommand command, ClusterStore store, PrintWriter out, String name, boolean on) {
        try {
            Schedule s = new Schedules(store, Clock.systemUTC()).enable(name, on);
            out.println("schedule " + name + (on ? " enabled; next due at " + Schedules.next(s, Instant.now())
                    .map(Instant::toString).orElse("never") : " disabled"));
            return 0;
        } catch (ScheduleException e) {
            return ((ScheduleCommand) command.spec.parent().userObject()).refused(e, on ? "enable" : "disable");
        }
    }
}
