package io.pgherd.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.common.config.Durations;

/**
 * The dynamic configuration as {@code pgherd config} shows and takes it: YAML or JSON text,
 * {@code KEY=VALUE} assignments turned into a JSON merge patch, and the differences between two
 * documents, one key path per line. Pure functions; thread-safe.
 */
final class ConfigDocuments {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());
    /** A value reads as JSON only if all of it does ({@code "$user", public} is text). */
    private static final ObjectReader JSON_VALUE = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String PARAMETERS = "postgresql.parameters.";

    private ConfigDocuments() {
    }

    /** The document as YAML ({@code {}} when empty), ending in a newline. */
    static String yaml(JsonNode document) {
        if (document.isEmpty()) {
            return "{}\n";
        }
        try {
            return YAML.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the configuration as YAML", e);
        }
    }

    /**
     * What every agent runs with, as YAML: each key of the dynamic configuration in a fixed order, with
     * its value from {@code document} where set there, else its default marked {@code # default} (for
     * the timings and synchronous mode: unless an agent's own file, {@code agent.ha.*}, says otherwise);
     * {@code postgresql.parameters} with those set, then the ones pgherd sets by default. Keys this
     * release does not know follow as they are. Valid YAML: its values read back as set.
     *
     * @param timings the defaults of the timings
     * @param pgherdParameters the parameters pgherd sets unless the configuration does
     */
    static String effective(JsonNode document, DynamicConfig.Timings timings, Map<String, String> pgherdParameters) {
        Map<String, JsonNode> defaults = new LinkedHashMap<>();
        defaults.put("pause", BooleanNode.FALSE);
        defaults.put("ttl", TextNode.valueOf(Durations.format(timings.ttl())));
        defaults.put("loop_wait", TextNode.valueOf(Durations.format(timings.loopWait())));
        defaults.put("retry_timeout", TextNode.valueOf(Durations.format(timings.retryTimeout())));
        defaults.put("maximum_lag_on_failover", LongNode.valueOf(timings.maximumLagOnFailover()));
        defaults.put("synchronous_mode", BooleanNode.FALSE);
        StringBuilder out = new StringBuilder();
        defaults.forEach((key, fallback) -> {
            JsonNode set = document.get(key);
            boolean agentFile = !key.equals("pause");
            out.append(key).append(": ").append(set == null || set.isNull() ? scalar(fallback) + "  # default"
                    + (agentFile ? " (unless agent.ha." + key + " of an agent's file says otherwise)" : "") : scalar(set)).append('\n');
        });
        out.append("postgresql:\n  parameters:");
        JsonNode postgresql = document.get("postgresql");
        JsonNode given = postgresql == null ? null : postgresql.get("parameters");
        Map<String, String> lines = new LinkedHashMap<>();
        if (given != null && given.isObject()) {
            given.fields().forEachRemaining(f -> lines.put(f.getKey(), "    " + f.getKey() + ": " + scalar(f.getValue())));
        }
        pgherdParameters.forEach((name, value) -> lines.putIfAbsent(name, "    " + name + ": " + scalar(TextNode.valueOf(value))
                + "  # pgherd's default"));
        out.append(lines.isEmpty() ? " {}\n" : "\n" + String.join("\n", lines.values()) + "\n");
        ObjectNode others = JSON.createObjectNode();
        document.fields().forEachRemaining(f -> {
            if (!defaults.containsKey(f.getKey()) && !f.getKey().equals("postgresql")) {
                others.set(f.getKey(), f.getValue());
            }
        });
        if (!others.isEmpty()) {
            out.append(yaml(others));
        }
        return out.toString();
    }

    /** One value as YAML text on the line of its key. */
    private static String scalar(JsonNode value) {
        if (value.isContainerNode()) {
            return value.toString();
        }
        String line = yaml(JSON.createObjectNode().set("v", value));
        return line.substring("v: ".length(), line.length() - 1);
    }

    /** The document as indented JSON, ending in a newline. */
    static String json(JsonNode document) {
        try {
            return JSON.writeValueAsString(document) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the configuration as JSON", e);
        }
    }

    /**
     * Reads an edited document (YAML, of which JSON is a part); blank text is {@code {}}.
     *
     * @throws IllegalArgumentException when it is not YAML or not a mapping, saying where
     */
    static ObjectNode parse(String text) {
        if (text.isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("the configuration must be a mapping of keys (got " + node.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        return (ObjectNode) node;
    }

    /**
     * The merge patch that {@code KEY=VALUE} assignments make: the key is a dotted path
     * ({@code ttl}, {@code postgresql.parameters.work_mem}; after {@code postgresql.parameters.} the
     * rest is one parameter name, dots and all), the value JSON when it reads as JSON
     * ({@code 20}, {@code true}, {@code "20"}), text otherwise ({@code 8MB}); {@code null} or
     * nothing removes the key.
     *
     * @throws IllegalArgumentException for an assignment without {@code =} or with an empty key part
     */
    static ObjectNode patch(List<String> assignments) {
        ObjectNode patch = JSON.createObjectNode();
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected KEY=VALUE, such as ttl=20 or postgresql.parameters.work_mem=8MB"
                        + " (got '" + assignment + "')");
            }
            String key = assignment.substring(0, eq).strip();
            List<String> path = new ArrayList<>();
            if (key.startsWith(PARAMETERS) && key.length() > PARAMETERS.length()) {
                path.addAll(List.of("postgresql", "parameters", key.substring(PARAMETERS.length())));
            } else {
                path.addAll(List.of(key.split("\\.", -1)));
            }
            if (path.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("empty part in key '" + key + "'");
            }
            ObjectNode at = patch;
            for (String part : path.subList(0, path.size() - 1)) {
                JsonNode next = at.get(part);
                at = next instanceof ObjectNode o ? o : at.putObject(part);
            }
            at.set(path.get(path.size() - 1), value(assignment.substring(eq + 1)));
        }
        return patch;
    }

    private static JsonNode value(String text) {
        if (text.isEmpty()) {
            return JSON.nullNode();
        }
        try {
            JsonNode node = JSON_VALUE.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (IOException e) {
            // Not JSON: plain text such as 8MB.
        }
        return JSON.getNodeFactory().textNode(text);
    }

    /**
     * What changed from {@code before} to {@code after}, one line per key path in path order:
     * {@code + path: value} (added), {@code - path: value} (removed), {@code ~ path: old -> new}.
     */
    static List<String> diff(JsonNode before, JsonNode after) {
        Map<String, String> old = flatten(before);
        Map<String, String> now = flatten(after);
        List<String> lines = new ArrayList<>();
        for (String path : new TreeSet<>(union(old, now))) {
            String a = old.get(path);
            String b = now.get(path);
            if (a == null) {
                lines.add("+ " + path + ": " + b);
            } else if (b == null) {
                lines.add("- " + path + ": " + a);
            } else if (!Objects.equals(a, b)) {
                lines.add("~ " + path + ": " + a + " -> " + b);
            }
        }
        return lines;
    }

    private static TreeSet<String> union(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    /** Leaf values by dotted path (plain text as it is, anything else as JSON; an empty object is a leaf). */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten(node, "", out);
        return out;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                flatten(field.getValue(), prefix + field.getKey() + ".", out);
            }
        } else if (!prefix.isEmpty()) {
            // Text as it is, unless it would read back as something else (20, true): then quoted, so "20" -> 20 shows.
            boolean plain = node.isTextual() && value(node.textValue()).isTextual();
            out.put(prefix.substring(0, prefix.length() - 1), plain ? node.textValue() : node.toString());
        }
    }
}
