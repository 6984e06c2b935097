package io.pgherd.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One configuration key: its dotted path, the unit and meaning of its value, its default, whether a
 * reload may change it, and how its YAML value is read and checked. Keys are declared once, in one
 * table per process kind, and that table drives reading, validation, {@code SHOW CONFIG} and the
 * documentation. Immutable and thread-safe.
 *
 * @param <T> the value's type
 */
public final class Key<T> {
    /** Reads a YAML value; returns {@code null} after adding problems when the value is not acceptable. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(JsonNode node, String path, List<ConfigProblem> problems);
    }

    private final String path;
    private final T defaultValue;
    private final boolean reloadable;
    private final String description;
    private final Reader<T> reader;
    private final Function<T, String> renderer;

    private Key(String path, T defaultValue, boolean reloadable, String description, Reader<T> reader,
                Function<T, String> renderer) {
        this.path = path;
        this.defaultValue = defaultValue;
        this.reloadable = reloadable;
        this.description = description;
        this.reader = reader;
        this.renderer = renderer;
    }

    /** A key read by a custom reader (lists of objects, for example). */
    public static <T> Key<T> custom(String path, T defaultValue, boolean reloadable, String description, Reader<T> reader,
                                    Function<T, String> renderer) {
        return new Key<>(path, defaultValue, reloadable, description, reader, renderer);
    }

    /** A whole number in {@code [min, max]}. */
    public static Key<Integer> integer(String path, int defaultValue, int min, int max, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            if (!node.isIntegralNumber()) {
                return fail(problems, p, "must be a whole number (got " + shown(node) + ")");
            }
            // A number beyond a long must not wrap around into range.
            if (!node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
                return fail(problems, p, "must be " + range(min, max) + " (got " + node.asText() + ")");
            }
            return (int) node.asLong();
        }, String::valueOf);
    }

    /** A duration such as {@code 30s}; a bare number means seconds. At least {@code min}. */
    public static Key<Duration> duration(String path, Duration defaultValue, Duration min, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            if (!node.isValueNode()) {
                return fail(problems, p, "must be a duration such as 500ms, 30s, 5min or 1h (got " + shown(node) + ")");
            }
            Duration d;
            try {
                d = Durations.parse(node.asText());
            } catch (IllegalArgumentException e) {
                return fail(problems, p, e.getMessage());
            }
            if (d.compareTo(min) < 0) {
                return fail(problems, p, "must be at least " + Durations.format(min) + " (got " + node.asText() + ")");
            }
            return d;
        }, Durations::format);
    }

    /** A string; {@code defaultValue} may be {@code null} for "not set". */
    public static Key<String> string(String path, String defaultValue, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            if (!node.isTextual() && !node.isNumber()) {
                return fail(problems, p, "must be a string (got " + shown(node) + ")");
            }
            return node.asText();
        }, v -> v == null ? "" : v);
    }

    /** {@code true} or {@code false}. */
    public static Key<Boolean> bool(String path, boolean defaultValue, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            if (!node.isBoolean()) {
                return fail(problems, p, "must be true or false (got " + shown(node) + ")");
            }
            return node.asBoolean();
        }, String::valueOf);
    }

    /** One of an enum's constants, written in lower case with {@code -} for {@code _} (so {@code SCRAM_SHA_256} is {@code scram-sha-256}). */
    public static <E extends Enum<E>> Key<E> choice(String path, Class<E> type, E defaultValue, boolean reloadable,
                                                    String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            String text = node.isValueNode() ? node.asText() : "";
            for (E constant : type.getEnumConstants()) {
                if (label(constant).equals(text.toLowerCase(Locale.ROOT).replace('_', '-'))) {
                    return constant;
                }
            }
            return fail(problems, p, "must be one of " + Stream.of(type.getEnumConstants()).map(Key::label)
                    .collect(Collectors.joining(", ")) + " (got " + shown(node) + ")");
        }, Key::label);
    }

    /** A {@code host:port} address. */
    public static Key<HostPort> address(String path, HostPort defaultValue, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            try {
                return HostPort.parse(node.asText());
            } catch (IllegalArgumentException e) {
                return fail(problems, p, e.getMessage());
            }
        }, v -> v == null ? "" : v.toString());
    }

    /** A list of strings (a single string is a list of one). */
    public static Key<List<String>> strings(String path, List<String> defaultValue, boolean reloadable, String description) {
        return new Key<>(path, defaultValue, reloadable, description, (node, p, problems) -> {
            if (node.isTextual()) {
                return List.of(node.asText());
            }
            if (!node.isArray()) {
                return fail(problems, p, "must be a list of strings (got " + shown(node) + ")");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isTextual()) {
                    return fail(problems, p + "[" + i + "]", "must be a string (got " + shown(node.get(i)) + ")");
                }
                out.add(node.get(i).asText());
            }
            return List.copyOf(out);
        }, v -> String.join(",", v));
    }

    /** The enum constant's configuration spelling. */
    public static String label(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Adds a problem and returns {@code null}, for readers. */
    public static <T> T fail(List<ConfigProblem> problems, String path, String message) {
        problems.add(new ConfigProblem(path, message));
        return null;
    }

    /** How a YAML value is shown in a problem. */
    public static String shown(JsonNode node) {
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.toString();
    }

    private static String range(int min, int max) {
        return max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
    }

    public String path() {
        return path;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean reloadable() {
        return reloadable;
    }

    public String description() {
        return description;
    }

    T read(JsonNode node, List<ConfigProblem> problems) {
        return reader.read(node, path, problems);
    }

    /** The value as written in configuration. */
    public String render(T value) {
        return renderer.apply(value);
    }

    @Override
    public String toString() {
        return path;
    }
}
