package io.pgherd.postgres;

import java.util.List;

/**
 * The outcome of one external command.
 *
 * @param command the argument vector that ran (never contains a password: secrets go through files or the environment)
 * @param exitCode the process's exit code
 * @param output standard output and standard error, interleaved
 */
public record CommandResult(List<String> command, int exitCode, String output) {
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The last {@code lines} lines of the output, for error messages. */
    public String tail(int lines) {
        return Text.lastLines(output, lines);
    }
}
