package io.pgherd.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgherd token create --user U [--expires WHEN] | list | revoke ID}: the cluster API's tokens, through the API
 * (admins only). A created token is printed once, alone on standard output (so {@code $(pgherd token create ...)}
 * takes it), what it is on standard error; the API keeps only its hash and never shows it again.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class},
        description = {"Manage the tokens of the cluster API, through the API (an admin's token): 'create --user NAME"
                + " [--expires WHEN]' prints a new token once, 'list' shows ids, users and expiries (never a token),"
                + " 'revoke ID' refuses the token from then on.",
                "Give a token to a command with --token or $" + ApiTarget.TOKEN_ENV + ", or to curl as 'Authorization: Bearer"
                        + " TOKEN'."})
final class TokenCommand implements Callable<Integer> {
    private static final Pattern AFTER = Pattern.compile("([1-9][0-9]{0,5})([mhdw])");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "give a subcommand: create --user NAME, list or revoke ID; see '" + Main.command() + " token --help'");
    }

    /**
     * When a token given {@code --expires text} at {@code now} expires: after a duration ({@code 90m}, {@code 12h},
     * {@code 30d}, {@code 2w}), at a time ({@code 2027-01-31T18:00:00Z}) or at the start of a day, UTC
     * ({@code 2027-01-31}).
     *
     * @throws IllegalArgumentException saying what was expected, for anything else or a time not after {@code now}
     */
    static Instant expiry(String text, Instant now) {
        String value = text == null ? "" : text.strip();
        Instant at;
        Matcher m = AFTER.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            at = now.plus(switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
        } else {
            at = parseTime(value).orElseThrow(() -> new IllegalArgumentException("--expires must be a duration such as 90m,"
                    + " 12h, 30d or 2w, a time such as 2027-01-31T18:00:00Z, or a day such as 2027-01-31 (got '" + value + "')"));
        }
        if (!at.isAfter(now)) {
            throw new IllegalArgumentException("--expires must be in the future (got " + value + ", now is " + now + ")");
        }
        return at;
    }

    private static Optional<Instant> parseTime(String value) {
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException notADay) {
                return Optional.empty();
            }
        }
    }

    /** {@code pgherd token create --user NAME [--expires WHEN]}. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make a token of a user and print it once,"
            + " alone on standard output; keep it safe: it cannot be shown again (revoke it and make another if lost).")
    static final class Create extends ApiCommand {
        @Option(names = "--user", required = true, paramLabel = "NAME", description = "The user it authenticates as.")
        String user;

        @Option(names = "--expires", paramLabel = "WHEN", description = "When it stops working: after 90m, 12h, 30d, 2w;"
                + " at 2027-01-31T18:00:00Z; or on 2027-01-31 (UTC). Default: never.")
        String expires;

        private Optional<Instant> expiresAt = Optional.empty();

        @Override
        List<String> problems() {
            if (expires != null) {
                try {
                    expiresAt = Optional.of(expiry(expires, Instant.now()));
                } catch (IllegalArgumentException e) {
                    return List.of(e.getMessage());
                }
            }
            return List.of();
        }

        @Override
        int run(ApiClient client, PrintWriter out) {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("user", user);
            expiresAt.ifPresent(at -> body.put("expires_at", at.toString()));
            AccessTables.MadeToken made = AccessTables.madeToken(client.post("/api/v1/tokens", body));
            if (made.token().isEmpty()) {
                throw new CommandFailure("the cluster API made a token but did not return it; revoke it ('" + Main.command()
                        + " token list' shows its id) and try again");
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("token " + made.id() + " of user " + user + " created, expires " + made.expires()
                    + "; this is the only time it is shown:");
            err.flush();
            out.println(made.token());
            return 0;
        }
    }

    /** {@code pgherd token list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens: id, user, created, expires"
            + " (never the token itself).")
    static final class ListTokens extends ApiCommand {
        @Option(names = "--json", description = "Print the API's JSON for scripts.")
        boolean json;

        @Override
        int run(ApiClient client, PrintWriter out) {
            JsonNode tokens = client.get("/api/v1/tokens");
            out.print(json ? tokens.toPrettyString() + "\n" : AccessTables.tokens(tokens));
            return 0;
        }
    }

    /** {@code pgherd token revoke ID}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token: it is refused from now on.")
    static final class Revoke extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The token's id, as 'pgherd token list' shows it.")
        String id;

        @Override
        List<String> problems() {
            // Never echo it: a whole token, given where its id was expected.
            return id.startsWith("pgh_") ? List.of("give the token's id ('" + Main.command() + " token list' shows it), not the"
                    + " token itself") : List.of();
        }

        @Override
        int run(ApiClient client, PrintWriter out) {
            client.delete("/api/v1/tokens/" + ApiClient.segment(id));
            out.println("token " + id + " revoked");
            return 0;
        }
    }
}
