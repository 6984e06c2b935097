package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Answers a command or option name that does not exist with one line naming each unknown word and
 * what was probably meant ({@link Suggestions}), exit 2: {@code pgherd: unknown command 'lsit' (did
 * you mean 'list'?); 'pgherd --help' lists the commands}. Other usage errors go to the handler it
 * replaces.
 */
final class UnknownArguments implements CommandLine.IParameterExceptionHandler {
    private final CommandLine.IParameterExceptionHandler others;

    UnknownArguments(CommandLine.IParameterExceptionHandler others) {
        this.others = others;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) throws Exception {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return others.handleParseException(e, args);
        }
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        PrintWriter err = e.getCommandLine().getErr();
        err.println("pgherd: " + message(spec.qualifiedName(), unmatched.getUnmatched(), spec.subcommands().keySet(),
                spec.optionsMap().keySet()));
        err.flush();
        return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The line (without {@code pgherd: }) for the words {@code command} did not recognize.
     *
     * @param command the command as typed so far ({@code pgherd}, {@code pgherd list})
     * @param unmatched the words it did not recognize, in order (an unknown option's separate value among them)
     * @param subcommands the command's subcommands (empty when it takes none)
     * @param options its option names, with their dashes
     */
    static String message(String command, List<String> unmatched, Collection<String> subcommands,
                          Collection<String> options) {
        List<String> problems = new ArrayList<>();
        boolean afterUnknownOption = false;
        boolean commands = false;
        boolean anyOption = false;
        for (String word : unmatched) {
            if (word.startsWith("-") && word.length() > 1) {
                String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                problems.add("unknown option '" + name + "'" + forCommand(command) + meant(Suggestions.closest(name, options)));
                afterUnknownOption = !word.contains("=");
                anyOption = true;
            } else if (afterUnknownOption) {
                // Most likely the unknown option's value: the option is the problem to report.
                afterUnknownOption = false;
            } else if (!subcommands.isEmpty() && !commands) {
                problems.add("unknown command '" + word + "'" + forCommand(command)
                        + meant(Suggestions.closest(word, subcommands)));
                commands = true;
            } else {
                problems.add("unexpected argument '" + word + "'" + forCommand(command));
            }
        }
        String help = commands ? "'" + command + " --help' lists the commands"
                : anyOption ? "'" + command + " --help' lists the options" : "see '" + command + " --help'";
        return String.join("; ", problems) + "; " + help;
    }

    private static String forCommand(String command) {
        return command.equals("pgherd") ? "" : " for '" + command + "'";
    }

    private static String meant(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder(" (did you mean ");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                s.append(i == names.size() - 1 ? " or " : ", ");
            }
            s.append('\'').append(names.get(i)).append('\'');
        }
        return s.append("?)").toString();
    }
}
