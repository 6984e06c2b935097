package io.pgherd.cluster;

import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.common.config.Durations;

/**
 * The record {@code config}: the dynamic configuration document every agent applies (Patroni's dynamic
 * configuration), changed with compare-and-set, as a JSON merge patch from the CLI or the REST API.
 * It stays a document, because a patch must keep keys it does not touch (also keys a newer release
 * added); it is validated whole and read into a typed {@link DynamicConfig}. The few keys other
 * processes act on have typed accessors here.
 *
 * @param document the JSON object ({@code {}} when the key is absent or unreadable); never change it
 * @param modRevision the key's revision, for compare-and-set; empty when the key is absent
 */
public record ClusterConfig(ObjectNode document, Optional<Long> modRevision) {
    /** No key. */
    public static ClusterConfig absent() {
        return new ClusterConfig(ClusterJson.object(), Optional.empty());
    }

    /** {@code pause}: maintenance mode, no automatic failover (false unless it is {@code true}). */
    public boolean pause() {
        return document.path("pause").asBoolean(false);
    }

    /**
     * {@code ttl}: the leader key's time to live, in seconds (a number) or as a duration ({@code "30s"});
     * empty when it is not set or cannot be read.
     */
    public Optional<Duration> ttl() {
        JsonNode ttl = document.path("ttl");
        if (ttl.isNumber() && ttl.asDouble() > 0) {
            return Optional.of(Duration.ofMillis(Math.round(ttl.asDouble() * 1000)));
        }
        if (ttl.isTextual()) {
            try {
                return Optional.of(Durations.parse(ttl.textValue())).filter(d -> !d.isZero() && !d.isNegative());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
