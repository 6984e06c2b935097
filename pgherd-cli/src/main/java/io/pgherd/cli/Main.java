package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pgherd} command line. */
@Command(name = "pgherd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "PostgreSQL high availability with read/write splitting.")
public final class Main implements Runnable {
    /** The subcommands, in the order help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(UpCommand.class, DownCommand.class, StatusCommand.class,
            ProxyCommand.class, AgentCommand.class, ZooKeeperCommand.class, ListCommand.class, SwitchoverCommand.class,
            FailoverCommand.class, MaintenanceCommand.Pause.class, MaintenanceCommand.Resume.class, HistoryCommand.class,
            RestartCommand.class, ReinitCommand.class, ConfigCommand.class, ScaleCommand.class, ControllerCommand.class,
            TasksCommand.class, TaskCommand.class, ScheduleCommand.class, SuperviseCommand.class, UserCommand.class,
            TokenCommand.class, AuditCommand.class, CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(args.length == 0 ? "" : args[0]).execute(args));
    }

    /**
     * How the user runs pgherd, for commands it prints for them to type: what the {@code pgherd}
     * script says ({@code ./pgherd}, or {@code pgherd} when that is on the PATH), else {@code pgherd}.
     */
    static String command() {
        String command = System.getenv("PGHERD_COMMAND");
        return command == null || command.isBlank() ? "pgherd" : command;
    }

    /** The command line with every subcommand and pgherd's error handling: a failure prints one clear message, not a stack trace. */
    static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * The command line for a run whose first word is {@code first}: when that names a subcommand,
     * with that one only. Building picocli's model of a command reads all its annotations by
     * reflection; for all of them that is a good part of a short command's start. Anything else
     * (help, a typo to suggest for) gets them all.
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new Main());
        List<Class<?>> named = SUBCOMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(first))
                .filter(c -> c != CommandLine.HelpCommand.class).toList();
        (named.isEmpty() ? SUBCOMMANDS : named).forEach(cli::addSubcommand);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            err.println(errorLine(e));
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler(new UnknownArguments(cli.getParameterExceptionHandler()));
        return cli;
    }

    /**
     * The one line a command that failed prints: its own message, which says what went wrong in the user's words; but
     * for a programming error (a bug: a null, a bad cast or index, no message) none of the exception's text, which
     * would name Java classes.
     */
    static String errorLine(Exception e) {
        if (e instanceof NullPointerException || e instanceof ClassCastException || e instanceof IndexOutOfBoundsException
                || e instanceof ArithmeticException || e.getMessage() == null || e.getMessage().isBlank()) {
            return "pgherd: internal error (a bug in pgherd; please report it with the command you ran)";
        }
        return "pgherd: " + e.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest (or "development" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pgherd " + (v == null ? "development" : v)};
        }
    }
}
