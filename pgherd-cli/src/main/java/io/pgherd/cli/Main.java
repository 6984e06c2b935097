package io.pgherd.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pgherd} command line. */
@Command(name = "pgherd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "PostgreSQL high availability with read/write splitting.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, ProxyCommand.class, AgentCommand.class,
                ZooKeeperCommand.class, ListCommand.class, SwitchoverCommand.class, FailoverCommand.class,
                MaintenanceCommand.Pause.class, MaintenanceCommand.Resume.class, HistoryCommand.class, RestartCommand.class,
                ReinitCommand.class, ConfigCommand.class, SuperviseCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with pgherd's error handling: a failure prints one clear message, not a stack trace. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            err.println("pgherd: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        });
        return cli;
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
