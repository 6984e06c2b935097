package io.pgherd.agent;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import io.pgherd.cluster.ParameterCatalogue;

/**
 * Which parameters of the dynamic configuration an agent writes into its PostgreSQL's managed file,
 * so that the server never finds a file it refuses (a refused file is not applied at all on reload,
 * and stops the server from starting): a parameter the catalogue refuses, or that the server itself
 * refused with the same value, is left out and reported; the value last written for it stays. Pure
 * functions; thread-safe.
 */
final class ParameterScreen {
    /** The word {@code pg_file_settings} has for an invalid value and for a change that needs a restart alike. */
    static final String NOT_APPLIED = "setting could not be applied";

    private ParameterScreen() {
    }

    /**
     * A value the running server refused, and why.
     *
     * @param value the value it refused
     * @param reason the server's reason
     */
    record Refused(String value, String reason) {
    }

    /**
     * What to write.
     *
     * @param parameters the parameters for the file
     * @param rejected those of the dynamic configuration left out, with the reason, by name
     */
    record Screened(Map<String, String> parameters, SortedMap<String, String> rejected) {
    }

    /**
     * Screens {@code wanted}, the parameters of the dynamic configuration.
     *
     * @param catalogue the local server's parameters (empty: not known yet, names and values pass)
     * @param refused values the server refused, by name (kept out while the configuration still asks for them)
     * @param lastWritten what the file holds now (null: unknown); a rejected parameter keeps its value from there
     */
    static Screened screen(Map<String, String> wanted, Optional<ParameterCatalogue> catalogue, Map<String, Refused> refused,
                           Map<String, String> lastWritten) {
        Map<String, String> out = new TreeMap<>();
        SortedMap<String, String> rejected = new TreeMap<>();
        wanted.forEach((name, value) -> {
            Optional<String> why = catalogue.flatMap(c -> c.problem(name, value));
            Refused r = refused.get(name);
            if (why.isEmpty() && r != null && r.value().equals(value)) {
                why = Optional.of(r.reason());
            }
            if (why.isEmpty()) {
                out.put(name, value);
                return;
            }
            rejected.put(name, why.get());
            if (lastWritten != null && lastWritten.containsKey(name) && !lastWritten.get(name).equals(value)) {
                out.put(name, lastWritten.get(name));
            }
        });
        return new Screened(Map.copyOf(out), rejected);
    }

    /**
     * Of what the server finds fault with in the file ({@code pg_file_settings}), the parameters of
     * {@code ours} it refuses, with its word: an unknown name, or "could not be applied" for a
     * parameter that can change without a restart (for one that needs a restart the same words only
     * mean the change waits for it; the catalogue checks those values).
     */
    static Map<String, String> refusals(List<ServerConfiguration.FileError> errors, Optional<ParameterCatalogue> catalogue,
                                        Collection<String> ours) {
        Map<String, String> out = new TreeMap<>();
        for (ServerConfiguration.FileError e : errors) {
            if (!ours.contains(e.name())) {
                continue;
            }
            boolean restartOnly = catalogue.map(c -> !c.needingRestart(List.of(e.name())).isEmpty()).orElse(true);
            if (!e.error().equals(NOT_APPLIED)) {
                out.put(e.name(), e.error());
            } else if (!restartOnly) {
                out.put(e.name(), "PostgreSQL refused the value \"" + e.value() + "\"");
            }
        }
        return out;
    }
}
