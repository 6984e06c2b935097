package io.pgherd.cli;

import java.io.Console;
import java.util.Locale;

/**
 * The question commands ask before they change a cluster, unless {@code --force}: "[y/N]" on the
 * terminal, where only y or yes goes ahead. Without a terminal it refuses at once instead of
 * waiting for an answer that cannot come: a script must say {@code --force}.
 */
final class Confirmation {
    private Confirmation() {
    }

    /**
     * Asks {@code question} and returns when the answer is yes.
     *
     * @param subject what needs confirming, for the refusal ({@code switchover from n1 to n2})
     * @param question the question, without "[y/N]"
     * @param command the command the user runs, for the hint ({@code switchover})
     * @param nothingDone what did not happen, as the refusal ends ({@code nothing was written})
     * @throws CommandFailure without a terminal, or for any answer but yes
     */
    static void require(String subject, String question, String command, String nothingDone) {
        Console console = System.console();
        if (console == null) {
            throw new CommandFailure(subject + " needs confirmation and there is no terminal to ask on; " + nothingDone
                    + ": pass --force to " + command + " without asking");
        }
        String answer = console.readLine("%s [y/N] ", question);
        String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
        if (!a.equals("y") && !a.equals("yes")) {
            throw new CommandFailure(command + " not confirmed; " + nothingDone);
        }
    }
}
