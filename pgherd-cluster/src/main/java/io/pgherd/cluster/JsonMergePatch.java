package io.pgherd.cluster;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON Merge Patch (RFC 7396), as {@code PATCH /config} and {@code pgherd config set} change the
 * dynamic configuration: an object patch merges member by member, {@code null} deletes a member,
 * anything else (arrays included) replaces the target. Pure: neither argument is changed.
 */
public final class JsonMergePatch {
    private JsonMergePatch() {
    }

    /**
     * The result of applying {@code patch} to {@code target}.
     *
     * @param target the document (null or missing: none)
     * @param patch the patch
     * @return a new document; a {@code null} patch yields JSON {@code null}
     */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null ? JsonNodeFactory.instance.nullNode() : patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }
}
