package io.pgherd.controller.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The OpenAPI 3.1 document of the API, {@code openapi.json} beside this class, served at
 * {@code GET /api/v1/openapi.json} without a token. A test checks that every route the server registers is in it.
 */
final class OpenApi {
    static final String RESOURCE = "openapi.json";

    private OpenApi() {
    }

    static Route route() {
        JsonNode document = document();
        return Route.open("/openapi.json", call -> Reply.ok(document));
    }

    /** The document, read from the class path. */
    static JsonNode document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return Call.json().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }
}
