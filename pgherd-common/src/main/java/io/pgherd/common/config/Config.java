package io.pgherd.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.pgherd.common.text.EditDistance;

/**
 * A validated configuration: a value for every key of its table. Built only by {@link #read}, which
 * refuses the whole document with every problem listed. Immutable and thread-safe; a reload builds
 * a new instance and swaps it in.
 */
public final class Config {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final List<Key<?>> table;
    private final Map<Key<?>, Object> values;

    private Config(List<Key<?>> table, Map<Key<?>, Object> values) {
        this.table = List.copyOf(table);
        this.values = values;
    }

    /** Reads a YAML file against {@code table}, then runs the cross-key {@code checks}. */
    public static Config load(Path file, List<Key<?>> table, Function<Config, List<ConfigProblem>> checks) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("(file)", "cannot be read: " + e)));
        }
        return read(text, file.toString(), table, checks);
    }

    /**
     * Reads YAML text against {@code table}: every key takes its value or its default, unknown keys
     * are problems (with the nearest known key suggested), then {@code checks} look at keys together.
     *
     * @throws ConfigException listing every problem
     */
    public static Config read(String yaml, String source, List<Key<?>> table, Function<Config, List<ConfigProblem>> checks) {
        JsonNode root;
        try {
            root = yaml.isBlank() ? MissingNode.getInstance() : YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "(file)" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ConfigException(source, List.of(new ConfigProblem(where, "is not valid YAML: " + e.getOriginalMessage())));
        }
        if (root == null) {
            root = MissingNode.getInstance();
        }
        List<ConfigProblem> problems = new ArrayList<>();
        if (!root.isMissingNode() && !root.isObject() && !root.isNull()) {
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "must be a mapping of sections")));
        }
        Map<Key<?>, Object> values = new HashMap<>();
        for (Key<?> key : table) {
            JsonNode node = at(root, key.path());
            values.put(key, node.isMissingNode() || node.isNull() ? key.defaultValue() : key.read(node, problems));
        }
        unknownKeys(root, "", table.stream().map(Key::path).collect(Collectors.toSet()), problems);
        if (problems.isEmpty()) {
            problems.addAll(checks.apply(new Config(table, values)));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new Config(table, values);
    }

    /** The key's value (its default when not written). */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("key " + key.path() + " is not in this configuration's table");
        }
        return (T) values.get(key);
    }

    /**
     * This configuration with one key's value replaced (by a value already known to be valid: the
     * checks are not run again).
     */
    public <T> Config with(Key<T> key, T value) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("key " + key.path() + " is not in this configuration's table");
        }
        Map<Key<?>, Object> next = new HashMap<>(values);
        next.put(key, value);
        return new Config(table, next);
    }

    /** Every key with its value as written in configuration, in table order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Map<Key<?>, String> rendered() {
        Map<Key<?>, String> out = new LinkedHashMap<>();
        for (Key key : table) {
            out.put(key, key.render(values.get(key)));
        }
        return out;
    }

    /** The keys whose values differ in {@code next}. */
    public List<Key<?>> changedIn(Config next) {
        return table.stream().filter(k -> !Objects.equals(values.get(k), next.values.get(k))).toList();
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            if (node == null || !node.isObject()) {
                return MissingNode.getInstance();
            }
            node = node.path(part);
        }
        return node;
    }

    private static void unknownKeys(JsonNode node, String prefix, Set<String> known, List<ConfigProblem> problems) {
        if (!node.isObject()) {
            if (!prefix.isEmpty() && !node.isNull()) {
                problems.add(new ConfigProblem(prefix.substring(0, prefix.length() - 1), "must be a mapping (got "
                        + Key.shown(node) + ")"));
            }
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix + field.getKey();
            if (known.contains(path)) {
                continue;
            }
            if (known.stream().anyMatch(k -> k.startsWith(path + "."))) {
                unknownKeys(field.getValue(), path + ".", known, problems);
            } else {
                String nearest = known.stream().min((a, b) -> EditDistance.between(a, path) - EditDistance.between(b, path)).orElse("");
                problems.add(new ConfigProblem(path, "unknown key" + (EditDistance.between(nearest, path) <= 3 ? " (did you mean "
                        + nearest + "?)" : "")));
            }
        }
    }
}
