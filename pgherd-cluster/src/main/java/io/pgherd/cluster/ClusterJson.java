package io.pgherd.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON mapping of the cluster's records: every record of this package is written and read
 * here, nowhere else. Readers ignore fields they do not know (a newer process may have written them
 * during a rolling upgrade) and take defaults for missing optional ones. Thread-safe.
 */
public final class ClusterJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE, true);

    private ClusterJson() {
    }

    /** A record as the JSON text stored in its key. */
    public static String write(Object record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write " + record.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Reads a record from the JSON text of its key.
     *
     * @throws UnreadableRecordException when the text is not JSON or not that record, with the reason
     */
    public static <T> T read(String key, String value, Class<T> type) {
        try {
            T record = MAPPER.readValue(value, type);
            if (record == null) {
                throw new UnreadableRecordException(key, "it holds JSON null, not " + type.getSimpleName());
            }
            return record;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new UnreadableRecordException(key, firstLine(e.getMessage()));
        }
    }

    /** A record as a JSON tree (for reports that embed it, such as the REST API's {@code /history}). */
    public static JsonNode tree(Object record) {
        return MAPPER.valueToTree(record);
    }

    /** An empty JSON object. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The JSON object stored in {@code key}; {@link UnreadableRecordException} for anything else. */
    static ObjectNode object(String key, String value) {
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            throw new UnreadableRecordException(key, firstLine(e.getMessage()));
        }
        if (!(node instanceof ObjectNode o)) {
            throw new UnreadableRecordException(key, "it holds " + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT))
                    + ", not a JSON object");
        }
        return o;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
