package io.pgherd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.common.config.ConfigException;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.PostgresNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgherd config show|set|edit}: the cluster's dynamic configuration, the DCS key
 * {@code config} that every agent follows (timings, PostgreSQL parameters, maintenance mode).
 * Changes are validated as a whole (every problem listed, nothing written on any) and written with
 * compare-and-set, so two clients never overwrite each other's change unseen.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Show or change the cluster's dynamic configuration: ttl, loop_wait, retry_timeout (seconds or"
                + " 500ms, 30s, ...), maximum_lag_on_failover (bytes), pause, and postgresql.parameters, which every"
                + " agent writes into its PostgreSQL's configuration and reloads; parameters that need a restart show as"
                + " pending in 'pgherd list' until 'pgherd restart --pending'."},
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class, ConfigCommand.Edit.class})
final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the dynamic configuration every agent runs with, as YAML: each key with its value,"
                    + " those not set in the DCS marked '# default', and the PostgreSQL parameters pgherd sets by default"
                    + " after those set."})
    static final class Show extends HaCommand {
        @Option(names = "--json", description = "Print the document as stored in the DCS, as JSON ({} when nothing is set).")
        boolean json;

        @Option(names = "--stored", description = "Print the document as stored in the DCS, as YAML ({} when nothing is set).")
        boolean stored;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            ObjectNode document = store.readConfig().document();
            out.print(json ? ConfigDocuments.json(document) : stored ? ConfigDocuments.yaml(document)
                    : ConfigDocuments.effective(document, DynamicConfig.Timings.DEFAULTS, PostgresNode.DEFAULT_PARAMETERS));
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Change keys of the dynamic configuration, such as ttl=20, loop_wait=500ms or"
                    + " postgresql.parameters.work_mem=8MB; KEY=null (or KEY=) removes a key. Values read as JSON when they"
                    + " are (20, true, \"20\"), as text otherwise. Validated and written at once, then the changes are"
                    + " printed."})
    static final class Set extends HaCommand {
        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = "Keys to set or remove.")
        List<String> assignments;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            ObjectNode patch;
            try {
                patch = ConfigDocuments.patch(assignments);
            } catch (IllegalArgumentException e) {
                throw badOption(e.getMessage());
            }
            ClusterStore.ConfigChange change;
            Optional<ParameterCatalogue> catalogue;
            try {
                catalogue = store.readCatalogue();
                change = store.patchConfig(patch, document -> DynamicConfig.parse(document, catalogue));
            } catch (ConfigException e) {
                throw new CommandFailure(DynamicConfig.refusal(e.problems()), e);
            } catch (IllegalStateException e) {
                throw new CommandFailure(e.getMessage(), e);
            } catch (DcsException e) {
                throw new CommandFailure("the DCS did not answer, so the configuration may or may not have changed ('pgherd"
                        + " config show' shows it): " + e.getMessage(), e);
            }
            printChange(out, cluster, ConfigDocuments.diff(change.before(), change.after()));
            printParameterNotes(out, catalogue, DynamicConfig.changedParameters(change.before(), change.after()));
            return 0;
        }
    }

    @Command(name = "edit", mixinStandardHelpOptions = true,
            description = {"Edit the dynamic configuration as YAML in $VISUAL or $EDITOR (default vi), then see the"
                    + " changes and confirm them (unless --force); written only if nobody changed it meanwhile. Needs a"
                    + " terminal: without one it fails at once (use 'pgherd config set' in scripts)."})
    static final class Edit extends HaCommand {
        @Option(names = "--force", description = "Write the edited configuration without asking.")
        boolean force;

        @Override
        int run(ClusterStore store, PrintWriter out) {
            if (System.console() == null) {
                throw new CommandFailure("config edit opens an editor and needs a terminal, and there is none; nothing was"
                        + " changed: use 'pgherd config set KEY=VALUE...' in scripts");
            }
            ClusterConfig read = store.readConfig();
            Path file = temporaryFile(ConfigDocuments.yaml(read.document()));
            ObjectNode edited;
            try {
                runEditor(file);
                edited = ConfigDocuments.parse(Files.readString(file));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure("the edited configuration is " + e.getMessage() + "; nothing was changed (your edit"
                        + " is kept in " + file + ")", e);
            } catch (IOException e) {
                throw new CommandFailure("could not read back " + file + ": " + e.getMessage() + "; nothing was changed", e);
            }
            List<String> diff = ConfigDocuments.diff(read.document(), edited);
            if (diff.isEmpty()) {
                delete(file);
                out.println("no change; nothing was written");
                return 0;
            }
            out.println("changes to the configuration of cluster " + cluster + ":");
            diff.forEach(line -> out.println("  " + line));
            out.flush();
            boolean written;
            Optional<ParameterCatalogue> catalogue;
            try {
                if (!force) {
                    Confirmation.require("writing these changes", "Apply these changes?", "config edit", "nothing was written");
                }
                catalogue = store.readCatalogue();
                written = store.replaceConfig(read, edited, document -> DynamicConfig.parse(document, catalogue));
            } catch (ConfigException e) {
                throw new CommandFailure(DynamicConfig.refusal(e.problems()) + "\n(your edit is kept in " + file + ")", e);
            }
            if (!written) {
                throw new CommandFailure("the configuration was changed by someone else while you edited it; nothing was"
                        + " written (your edit is kept in " + file + "; run 'pgherd config edit' again)");
            }
            delete(file);
            out.println("configuration written; the agents apply it in their next cycle");
            printParameterNotes(out, catalogue, DynamicConfig.changedParameters(read.document(), edited));
            return 0;
        }

        private static Path temporaryFile(String text) {
            try {
                Path file = Files.createTempFile("pgherd-config-", ".yml",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, text);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("could not write a temporary file for the editor", e);
            }
        }

        private static void runEditor(Path file) {
            String editor = System.getenv("VISUAL");
            if (editor == null || editor.isBlank()) {
                editor = System.getenv("EDITOR");
            }
            if (editor == null || editor.isBlank()) {
                editor = "vi";
            }
            List<String> command = new ArrayList<>(List.of(editor.strip().split("\\s+")));
            command.add(file.toString());
            int exit;
            try {
                exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new CommandFailure("could not run the editor " + editor + ": " + e.getMessage() + "; nothing was changed"
                        + " (set $EDITOR)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("interrupted while the editor ran; nothing was changed", e);
            }
            if (exit != 0) {
                throw new CommandFailure("the editor " + editor + " exited with " + exit + "; nothing was changed");
            }
        }

        private static void delete(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left behind, nothing worse.
            }
        }
    }

    /**
     * After a change of parameters: those that take effect only when PostgreSQL restarts, or that the
     * parameters could not be checked (no agent has published its server's catalogue yet).
     */
    private static void printParameterNotes(PrintWriter out, Optional<ParameterCatalogue> catalogue, List<String> changed) {
        if (changed.isEmpty()) {
            return;
        }
        if (catalogue.isEmpty()) {
            out.println("the parameters were not checked: no agent has published the parameters of its PostgreSQL yet"
                    + " (each agent still checks them before writing, and 'pgherd list' shows what it rejected)");
            return;
        }
        List<String> restart = catalogue.get().needingRestart(changed);
        if (!restart.isEmpty()) {
            out.println("pending restart on every member: " + String.join(", ", restart) + " (PostgreSQL reads "
                    + (restart.size() == 1 ? "it" : "them") + " only when it starts; 'pgherd restart --pending' restarts the"
                    + " members that need it)");
        }
    }

    private static void printChange(PrintWriter out, String cluster, List<String> diff) {
        if (diff.isEmpty()) {
            out.println("the configuration of cluster " + cluster + " already says so; nothing changed");
            return;
        }
        out.println("changed the configuration of cluster " + cluster + ":");
        diff.forEach(line -> out.println("  " + line));
        out.println("the agents apply it in their next cycle; 'pgherd list' shows members that need a restart for it");
    }
}
