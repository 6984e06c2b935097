package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.text.EditDistance;

/**
 * The record {@code parameters}: every parameter of the PostgreSQL version the cluster runs, as its
 * {@code pg_settings} describes it (context, type, base unit, range, enum values), published by the
 * agents from their running server so that a change of {@code postgresql.parameters} is checked
 * before it is stored, by the CLI as by the REST API, and by each agent before it writes a file.
 *
 * <p>Why {@code pg_settings} and not {@code postgres --describe-config}: the latter needs no server,
 * but it prints neither units nor enum values (and 0 as the default of every number), so it cannot
 * tell {@code 128MB} from {@code 128} nor list the values of {@code wal_level}.
 *
 * <p>What it cannot check: string parameters (their check hooks run in the server, e.g. a
 * {@code timezone} that does not exist); an agent checks those with the server itself. Immutable.
 *
 * @param serverVersion {@code server_version} of the server that described itself
 * @param parameters by lower-case name
 */
public record ParameterCatalogue(@JsonProperty("server_version") String serverVersion,
                                 @JsonProperty("parameters") Map<String, Parameter> parameters) {
    /** Context of parameters read only when the server starts. */
    public static final String POSTMASTER = "postmaster";

    public ParameterCatalogue {
        SortedMap<String, Parameter> lower = new TreeMap<>();
        (parameters == null ? Map.<String, Parameter>of() : parameters).forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        // Sorted, so the record's JSON is the same text each time it is written.
        parameters = Collections.unmodifiableSortedMap(lower);
    }

    /**
     * One parameter.
     *
     * @param context when it may change: internal, postmaster, sighup, superuser-backend, backend, superuser, user
     * @param type bool, integer, real, string or enum
     * @param unit the base unit of numbers ({@code 8kB}, {@code ms}, ...), empty when it takes none
     * @param min the lowest value in the base unit, empty for non-numbers
     * @param max the highest value in the base unit, empty for non-numbers
     * @param values the values of an enum (empty for other types)
     */
    public record Parameter(@JsonProperty("context") String context, @JsonProperty("type") String type,
                            @JsonProperty("unit") String unit, @JsonProperty("min") String min,
                            @JsonProperty("max") String max, @JsonProperty("values") List<String> values) {
        public Parameter {
            unit = unit == null ? "" : unit;
            min = min == null ? "" : min;
            max = max == null ? "" : max;
            values = values == null ? List.of() : List.copyOf(values);
        }

        /** Why PostgreSQL would refuse {@code value} for this parameter; empty when it takes it. */
        public Optional<String> problem(String value) {
            if (context.equals("internal")) {
                return Optional.of("cannot be set: it is fixed when PostgreSQL is built or initialized");
            }
            return switch (type) {
                case "bool" -> ParameterValues.bool(value).isPresent() ? Optional.empty()
                        : Optional.of("invalid value \"" + value + "\": must be a boolean (on, off, true, false, yes, no, 1, 0)");
                case "integer", "real" -> numberProblem(value);
                case "enum" -> enumProblem(value);
                default -> Optional.empty();
            };
        }

        private Optional<String> numberProblem(String value) {
            boolean integer = type.equals("integer");
            Number n;
            try {
                n = ParameterValues.number(value, unit, integer);
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
            double v = n.doubleValue();
            if ((!min.isEmpty() && v < Double.parseDouble(min)) || (!max.isEmpty() && v > Double.parseDouble(max))) {
                String shown = integer ? Long.toString(n.longValue()) : Double.toString(v);
                return Optional.of("\"" + value + "\" is outside the valid range: " + shown + " is not within " + min + " .. "
                        + max + (unit.isEmpty() ? "" : " (in units of " + unit + ")"));
            }
            return Optional.empty();
        }

        private Optional<String> enumProblem(String value) {
            String v = value.strip();
            if (values.stream().anyMatch(v::equalsIgnoreCase)) {
                return Optional.empty();
            }
            // Enums with on and off also take every boolean spelling (PostgreSQL's hidden values).
            if (values.contains("on") && values.contains("off") && ParameterValues.bool(v).isPresent()) {
                return Optional.empty();
            }
            return Optional.of("invalid value \"" + value + "\": must be one of " + String.join(", ", values));
        }
    }

    /**
     * Every problem of {@code parameters} (name to value as written into a file): unknown names
     * (with the closest known name as a suggestion), values PostgreSQL would refuse.
     *
     * @param pathPrefix put before each name in a problem's path ({@code postgresql.parameters.})
     */
    public List<ConfigProblem> problems(Map<String, String> parameters, String pathPrefix) {
        List<ConfigProblem> out = new ArrayList<>();
        new TreeMap<>(parameters).forEach((name, value) -> problem(name, value)
                .ifPresent(p -> out.add(new ConfigProblem(pathPrefix + name, p))));
        return out;
    }

    /** Why PostgreSQL would refuse {@code name = value}; empty when it takes it. */
    public Optional<String> problem(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        Parameter parameter = parameters.get(key);
        if (parameter != null) {
            return parameter.problem(value);
        }
        if (key.contains(".")) {
            // A placeholder of an extension (pg_stat_statements.max): PostgreSQL takes any such name.
            return Optional.empty();
        }
        return Optional.of("unknown parameter \"" + name + "\" in PostgreSQL " + serverVersion
                + suggestion(key).map(s -> "; did you mean \"" + s + "\"?").orElse(""));
    }

    /** Of {@code names}, those PostgreSQL reads only when it starts, sorted. */
    public List<String> needingRestart(Collection<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT))
                .filter(n -> parameters.containsKey(n) && parameters.get(n).context().equals(POSTMASTER))
                .sorted().distinct().toList();
    }

    /** The known name closest to {@code name} by edit distance, if one is close enough to be a typo. */
    Optional<String> suggestion(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : parameters.keySet()) {
            int d = EditDistance.between(name, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }
}
