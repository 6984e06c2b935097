package io.pgherd.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.common.config.HostPort;
import io.pgherd.controller.access.Access;
import io.pgherd.controller.access.AccessDecision;
import io.pgherd.controller.access.AuditEntry;
import io.pgherd.controller.access.AuditLog;
import io.pgherd.controller.access.Principal;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.metrics.ControllerStatus;

/**
 * The server's own behaviour, on a real socket, for what needs no DCS: every registered route is in the OpenAPI
 * document with its method and role (and every operation of the document is a route); no token is a 401 with
 * {@code WWW-Authenticate: Bearer} after the refusal's delay; a role too low is a 403, audited; an unknown path and a
 * method a path does not take are problems; TLS from PEM files. The token table is a stand-in for the DCS store
 * (DcsAccess is tested on real DCS servers in the access package and in the CLI's ClusterApiIT).
 */
class ApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Principal> TOKENS = Map.of(
            "Bearer viewer-token", new Principal("vera", Role.VIEWER, "t-viewer"),
            "Bearer admin-token", new Principal("ada", Role.ADMIN, "t-admin"));
    private static final Duration DELAY = Duration.ofMillis(300);

    private final List<AuditEntry> audited = new CopyOnWriteArrayList<>();
    private final List<ApiServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        servers.forEach(ApiServer::close);
    }

    @Test
    void everyRegisteredRouteIsInTheOpenApiDocumentWithItsRoleAndEveryOperationIsARoute() {
        JsonNode paths = OpenApi.document().get("paths");
        Set<String> documented = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }
        Set<String> registered = new HashSet<>();
        for (Route route : start(Optional.empty()).routes()) {
            registered.add(route.toString());
            JsonNode operation = paths.path(route.path()).path(route.method().name().toLowerCase(Locale.ROOT));
            assertThat(operation.isObject()).as(route + " in openapi.json").isTrue();
            assertThat(operation.get("x-pgherd-role").isNull() ? null : operation.get("x-pgherd-role").asText())
                    .as("the role of " + route).isEqualTo(route.role().map(Role::wireName).orElse(null));
            assertThat(operation.path("description").asText()).as("audited " + route).contains(route.mutating() ? "Audited" : "");
        }
        assertThat(registered).isEqualTo(documented);
    }

    @Test
    void noTokenIsA401WithBearerChallengeAfterTheDelayAndAViewerScalingIsA403ThatIsAudited() throws Exception {
        ApiServer server = start(Optional.empty());
        long start = System.nanoTime();
        HttpResponse<String> none = send(server, "http", "PUT", "/api/v1/spec/replicas", null, "{\"replicas\": 2}");
        assertThat(System.nanoTime() - start).as("answered after the delay").isGreaterThanOrEqualTo(DELAY.toNanos());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertProblem(none, 401, "unauthorized");

        HttpResponse<String> viewer = send(server, "http", "PUT", "/api/v1/spec/replicas", "viewer-token", "{\"replicas\": 2}");
        assertProblem(viewer, 403, "forbidden");
        assertThat(JSON.readTree(viewer.body()).get("detail").asText()).contains("vera", "viewer", "operator");

        assertThat(audited).hasSize(2);
        assertThat(audited.get(0)).extracting(AuditEntry::user, AuditEntry::tokenId, AuditEntry::action, AuditEntry::status)
                .containsExactly("-", "-", "PUT /api/v1/spec/replicas", 401);
        assertThat(audited.get(1)).extracting(AuditEntry::user, AuditEntry::tokenId, AuditEntry::status)
                .containsExactly("vera", "t-viewer", 403);
        assertThat(audited.toString()).doesNotContain("viewer-token");
    }

    @Test
    void unknownPathsAndMethodsAndBadJsonAreProblemsWithoutJavaNames() throws Exception {
        ApiServer server = start(Optional.empty());
        HttpResponse<String> unknown = send(server, "http", "GET", "/api/v1/nothing", "admin-token", null);
        assertProblem(unknown, 404, "no-such-route");
        HttpResponse<String> method = send(server, "http", "DELETE", "/api/v1/cluster", "admin-token", null);
        assertProblem(method, 405, "method-not-allowed");
        HttpResponse<String> bad = send(server, "http", "POST", "/api/v1/users", "admin-token", "{\"name\": ");
        assertProblem(bad, 400, "bad-json");
        HttpResponse<String> array = send(server, "http", "POST", "/api/v1/users", "admin-token", "[1]");
        assertProblem(array, 400, "bad-json");
        HttpResponse<String> role = send(server, "http", "POST", "/api/v1/users", "admin-token",
                "{\"name\": \"bob\", \"role\": \"king\"}");
        assertProblem(role, 400, "invalid-field");
        JsonNode problem = JSON.readTree(role.body());
        assertThat(problem.get("field").asText()).isEqualTo("role");
        assertThat(problem.get("expected").asText()).isEqualTo("viewer, operator or admin");
        for (HttpResponse<String> r : List.of(unknown, method, bad, array, role)) {
            assertThat(r.body()).doesNotContain("Exception", "java.", "io.pgherd", "\tat ");
        }
    }

    @Test
    void theOpenApiDocumentIsServedWithoutATokenOverTlsFromPemFiles(@TempDir Path dir) throws Exception {
        ApiServer.Tls tls = TestCertificates.make(dir);
        ApiServer server = start(Optional.of(tls));
        HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(tls.certificate())).build();
        HttpResponse<String> document = trusting.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                + "/api/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(document.body()).get("openapi").asText()).startsWith("3.");
        assertThat(audited).as("reads are not audited").isEmpty();
    }

    @Test
    void anAddressInUseIsOneLineNamingTheKeyAndTheAddress() {
        ApiServer first = start(Optional.empty());
        assertThatThrownBy(() -> new ApiServer(new HostPort("127.0.0.1", first.port()), Optional.empty(), first.services()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("controller.api.listen: cannot listen on 127.0.0.1:" + first.port() + ": ");
    }

    private ApiServer start(Optional<ApiServer.Tls> tls) {
        Access access = (authorization, client, now) -> {
            Principal p = authorization == null ? null : TOKENS.get(authorization);
            return p == null ? new AccessDecision.Refused(authorization == null ? "no token" : "unknown or revoked token",
                    DELAY) : new AccessDecision.Granted(p);
        };
        AuditLog audit = new AuditLog() {
            @Override
            public void append(AuditEntry entry) {
                audited.add(entry);
            }

            @Override
            public List<AuditEntry> recent(int limit) {
                return List.copyOf(audited);
            }
        };
        ApiServices services = new ApiServices(null, access, null, audit, () -> ControllerStatus.starting("c1", "test"),
                Clock.systemUTC());
        ApiServer server = new ApiServer(new HostPort("127.0.0.1", 0), tls, services);
        servers.add(server);
        return server;
    }

    private HttpResponse<String> send(ApiServer server, String scheme, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith(Problem.CONTENT_TYPE));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("type").asText()).isEqualTo(Problem.TYPES + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("api", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
