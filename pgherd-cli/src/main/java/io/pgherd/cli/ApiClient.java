package io.pgherd.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A client of the cluster REST API ({@code /api/v1/}) for one command: JSON in and out, the bearer token of its
 * {@link ApiTarget} on every request. A controller that cannot be reached is skipped for the next URL of the target
 * (any controller answers, a standby too); when none can, the command fails saying so and how to start one. An answer
 * that is not a success becomes one line ({@link #problemLine}) from its problem details (RFC 9457). The token is
 * never part of a message. Not thread-safe (one per command).
 */
final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiTarget target;
    private final Duration timeout;
    private final HttpClient http;

    ApiClient(ApiTarget target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        // HTTP/1.1: no h2c upgrade on plain connections, which some servers mishandle.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code GET path}; the answer's JSON. */
    JsonNode get(String path) {
        return send("GET", path, null);
    }

    /** {@code POST path} with {@code body}; the answer's JSON (missing for none). */
    JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    /** {@code DELETE path}; the answer's JSON (missing for none). */
    JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /**
     * Sends one request to the first controller that can be reached.
     *
     * @param path the path from the API's root, such as {@code /api/v1/users}
     * @param body the JSON body; null for none
     * @return the answer's JSON; {@link MissingNode} when it has none (204)
     * @throws CommandFailure for an answer that is not a success, or when no controller answers
     */
    JsonNode send(String method, String path, JsonNode body) {
        List<String> unreachable = new ArrayList<>();
        for (URI base : target.urls()) {
            URI uri = base.resolve(path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Authorization", "Bearer " + target.token())
                    .header("Accept", "application/json, application/problem+json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> answer;
            try {
                answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException | HttpConnectTimeoutException e) {
                unreachable.add(base.toString());
                continue;
            } catch (HttpTimeoutException e) {
                throw new CommandFailure("the cluster API at " + base + " did not answer " + method + " " + path + " within "
                        + timeout.toSeconds() + " s" + (method.equals("GET") ? "" : "; it may or may not have been done"));
            } catch (IOException e) {
                throw new CommandFailure("the cluster API at " + base + " could not be asked " + method + " " + path
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")")
                        + (method.equals("GET") ? "" : "; it may or may not have been done"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("interrupted while waiting for the cluster API at " + base);
            }
            if (answer.statusCode() / 100 != 2) {
                throw new CommandFailure(problemLine(answer.statusCode(), answer.body(), base, target.tokenSource()));
            }
            return json(answer.body()).orElse(MissingNode.getInstance());
        }
        throw new CommandFailure(noController(unreachable));
    }

    /** What a command says when no controller could be reached at any of {@code urls}. */
    static String noController(List<String> urls) {
        return "no controller answers at " + String.join(", ", urls) + ": start one with '" + Main.command()
                + " controller --config FILE' (with controller.api.listen set), or '" + Main.command() + " up' for a local"
                + " cluster";
    }

    /**
     * The one line for an answer that is not a success: its problem's {@code detail} (else its {@code title}), with
     * what the request should have given for a bad field ({@code expected}) and, for 401, where the token came from;
     * for an answer without problem details, the status.
     *
     * @param tokenSource where the token came from (named, never quoted)
     */
    static String problemLine(int status, String body, URI base, String tokenSource) {
        Optional<JsonNode> problem = json(body).filter(JsonNode::isObject);
        String detail = problem.map(p -> text(p, "detail").or(() -> text(p, "title")).orElse(null))
                .orElse("the cluster API at " + base + " answered HTTP " + status);
        String expected = problem.flatMap(p -> text(p, "expected")).filter(e -> !detail.contains(e))
                .map(e -> " (expected " + e + ")").orElse("");
        String hint = switch (status) {
            case 401 -> " (the token from " + tokenSource + " was refused: give another with --token or " + ApiTarget.TOKEN_ENV + ")";
            case 403 -> detail.contains("role") ? "" : " (the token's user has too low a role)";
            default -> "";
        };
        return detail + expected + hint;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText().strip())
                : Optional.empty();
    }

    private static Optional<JsonNode> json(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** A path segment for a name the user typed (a user name, a token id), percent-encoded. */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
