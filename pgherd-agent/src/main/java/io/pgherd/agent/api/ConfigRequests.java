package io.pgherd.agent.api;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.cluster.ParameterCatalogue;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.common.config.ConfigException;
import io.pgherd.dcs.DcsException;

/**
 * {@code GET /config} and {@code PATCH /config}: the cluster's dynamic configuration
 * ({@link DynamicConfig}) as stored in the DCS key {@code config}. A PATCH body is a JSON merge
 * patch (RFC 7396: {@code null} deletes a key) applied with compare-and-set; the result must be a
 * valid configuration, its PostgreSQL parameters known to the version the cluster runs and their
 * values valid (the catalogue in the DCS key {@code parameters}), or nothing is written and the
 * answer is 400 listing every problem. 503 when
 * the DCS does not answer. Thread-safe.
 */
final class ConfigRequests {
    private static final Logger log = LoggerFactory.getLogger(ConfigRequests.class);

    private final String member;
    private final ClusterStore store;

    ConfigRequests(String member, ClusterStore store) {
        this.member = member;
        this.store = store;
    }

    /** {@code GET /config}: the document as stored ({@code {}} when nothing is set). */
    Response show(Request request) {
        try {
            return Response.json(200, store.readConfig().document());
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer: " + e.getMessage());
        }
    }

    /** {@code PATCH /config}: merges the body into the document; answers the document as now stored. */
    Response patch(Request request) {
        ObjectNode patch;
        try {
            patch = ClusterRequests.object(request);
        } catch (ClusterRequests.BadRequest e) {
            return Response.text(400, "pgherd: " + e.getMessage());
        }
        ClusterStore.ConfigChange change;
        try {
            Optional<ParameterCatalogue> catalogue = store.readCatalogue();
            change = store.patchConfig(patch, document -> DynamicConfig.parse(document, catalogue));
        } catch (ConfigException e) {
            return Response.text(400, "pgherd: " + DynamicConfig.refusal(e.problems()));
        } catch (DcsException e) {
            return Response.text(503, "pgherd: the DCS did not answer (the configuration may or may not have changed): "
                    + e.getMessage());
        } catch (IllegalStateException e) {
            return Response.text(503, "pgherd: " + e.getMessage());
        }
        log.info("{}: REST API: {} changed the dynamic configuration with {}", member, request.remote(), patch);
        return Response.json(200, change.after());
    }
}
