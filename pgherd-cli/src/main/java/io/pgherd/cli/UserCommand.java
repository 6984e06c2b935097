package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.pgherd.controller.access.Role;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pgherd user add NAME --role ROLE | list | remove NAME}: the cluster API's users, through the API (admins only). */
@Command(name = "user", mixinStandardHelpOptions = true,
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Remove.class},
        description = {"Manage the users of the cluster API, through the API (an admin's token): 'add NAME --role ROLE',"
                + " 'list', 'remove NAME' (which revokes its tokens).",
                "Roles: viewer (reads), operator (also scales, switches over, pauses, manages tasks and schedules), admin"
                        + " (also users, tokens, the dynamic configuration and the audit log)."})
final class UserCommand implements Callable<Integer> {
    static final String ROLES = Arrays.stream(Role.values()).map(Role::wireName).collect(Collectors.joining(", "));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "give a subcommand: add NAME --role ROLE, list or remove NAME; see '" + Main.command() + " user --help'");
    }

    /** {@code pgherd user add NAME --role ROLE}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user with a role; it has no token until"
            + " 'pgherd token create --user NAME' makes one.")
    static final class Add extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "The user's name: letters, digits, '_', '.', '@' or '-'.")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin.")
        String role;

        @Override
        List<String> problems() {
            return Role.parse(role).isPresent() ? List.of() : List.of("--role must be " + ROLES + " (got '" + role + "')");
        }

        @Override
        int run(ApiClient client, PrintWriter out) {
            String wire = Role.parse(role).orElseThrow().wireName();
            JsonNode user = client.post("/api/v1/users", JsonNodeFactory.instance.objectNode().put("name", name).put("role", wire));
            out.println("user " + AccessTables.field(user, "name", name) + " added as " + AccessTables.field(user, "role", wire)
                    + "; make it a token with '" + Main.command() + " token create --user " + name + "'");
            return 0;
        }
    }

    /** {@code pgherd user list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users with their roles.")
    static final class ListUsers extends ApiCommand {
        @Option(names = "--json", description = "Print the API's JSON for scripts.")
        boolean json;

        @Override
        int run(ApiClient client, PrintWriter out) {
            JsonNode users = client.get("/api/v1/users");
            out.print(json ? users.toPrettyString() + "\n" : AccessTables.users(users));
            return 0;
        }
    }

    /** {@code pgherd user remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user and revoke all its tokens.")
    static final class Remove extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "The user's name.")
        String name;

        @Override
        int run(ApiClient client, PrintWriter out) {
            client.delete("/api/v1/users/" + ApiClient.segment(name));
            out.println("user " + name + " removed; its tokens are revoked");
            return 0;
        }
    }
}
