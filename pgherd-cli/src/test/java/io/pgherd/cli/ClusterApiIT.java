package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.pgherd.cluster.Spec;
import io.pgherd.controller.Controller;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.controller.access.DcsDirectory;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.api.ApiServer;
import io.pgherd.dcs.Dcs;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * The cluster REST API of real controllers on a real cluster ({@code pgherd up}: PostgreSQL, agents, ZooKeeper, a
 * proxy): two controllers run in this JVM as {@code pgherd controller} builds them — the local provisioner, the API
 * with the DCS store of users, tokens and audit entries — c1 acting, c2 standing by. Most requests go to the
 * standby, which answers as the acting one does. Each role is allowed and refused on mutating routes, bad bodies,
 * unknown members and tasks and out-of-range counts are problem details, a scale through the API completes as a
 * task of the acting controller and is in the audit log under the operator's name, and two real answers validate
 * against the schemas of the served OpenAPI document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterApiIT {
    /** Draining and stopping (or cloning and catching up) a read replica on a busy 2-core machine. */
    private static final Duration TASK = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Path dir;
    private LocalUp up;
    private Controller acting;
    private Controller standby;
    private int actingPort;
    private int standbyPort;
    private String admin;
    private String operator;
    private String viewer;

    @BeforeAll
    void upAndStartTwoControllersWithTheApi() throws Exception {
        dir = TestDirectories.create("ClusterApiIT");
        up = LocalUp.start(dir, "--replicas", "1", "--controllers", "0");
        int rangeFrom = FreePorts.allocate(4).stream().min(Integer::compare).orElseThrow();
        ApiServer first = controller("c1", rangeFrom);
        actingPort = first.port();
        Await.until("c1 acts", Duration.ofSeconds(60), () -> acting.fence().isPresent());
        ApiServer second = controller("c2", rangeFrom);
        standbyPort = second.port();
        Await.until("c2 stands by", Duration.ofSeconds(60), () -> standby.status().lastCycleMillis() > 0);
        DcsDirectory directory = new DcsDirectory(up.cluster, Clock.systemUTC());
        admin = token(directory, "ada", Role.ADMIN);
        operator = token(directory, "otto", Role.OPERATOR);
        viewer = token(directory, "vera", Role.VIEWER);
    }

    /** A controller as {@code pgherd controller} makes it (ControllerCommand), its loop on a thread; returns its API. */
    private ApiServer controller(String name, int rangeFrom) {
        ControllerConfig settings = ControllerConfig.read(String.join("\n", "controller:",
                "  cluster: " + up.status.get("cluster").asText(),
                "  name: " + name,
                "  dcs: " + up.status.get("dcs").asText(),
                "  ttl: 6s",
                "  loop_wait: 500ms",
                "  dcs_timeout: 2s",
                "  provisioner: local",
                "  dir: " + dir,
                "  ports: " + rangeFrom + "-" + (rangeFrom + 40),
                "  stream_timeout: 4m",
                "  drain_timeout: 2m",
                "  api:",
                "    listen: 127.0.0.1:0", ""), name + ".yml");
        Dcs dcs = Dcs.connect(settings.dcs(), settings.get(ControllerConfig.DCS_TIMEOUT));
        ControllerCommand.Work work = ControllerCommand.replicas(settings, dcs, Optional.of(JarCli.JAR.toString()));
        Controller controller = new Controller(dcs, settings.get(ControllerConfig.CLUSTER), name,
                settings.get(ControllerConfig.TTL), settings.get(ControllerConfig.LOOP_WAIT),
                settings.get(ControllerConfig.KEEP_TASKS), work.types(), work.reconcilers(), Clock.systemUTC());
        ApiServer api = ControllerCommand.api(settings, controller, dcs).orElseThrow();
        Thread loop = new Thread(controller::run, "controller-" + name);
        loop.start();
        closing.add(dcs);
        closing.add(() -> {
            controller.close();
            loop.join(10_000);
        });
        closing.add(api);
        if (acting == null) {
            acting = controller;
        } else {
            standby = controller;
        }
        return api;
    }

    private static String token(DcsDirectory directory, String user, Role role) {
        directory.addUser(user, role);
        return directory.createToken(user, Optional.empty()).secret();
    }

    @AfterAll
    void down() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (up != null) {
            up.dcs.close();
        }
        if (dir != null && Files.exists(dir.resolve("pgherd.json"))) {
            JarCli.Result down = JarCli.pgherd("down", "--dir", dir.toString());
            assertThat(down.exit()).as(down.toString()).isZero();
        }
    }

    @Test
    @Order(1)
    void theStandbyAnswersAsTheActingControllerAndTheClusterValidatesAgainstTheOpenApiSchema() throws Exception {
        assertThat(standby.status().acting()).as("c2 stands by").isFalse();
        HttpResponse<String> fromStandby = send(standbyPort, "GET", "/api/v1/cluster", viewer, null);
        assertThat(fromStandby.statusCode()).as(fromStandby.body()).isEqualTo(200);
        JsonNode cluster = JSON.readTree(fromStandby.body());
        assertThat(cluster.at("/controllers/acting").asText()).isEqualTo("c1");
        assertThat(cluster.at("/controllers/answered_by").asText()).isEqualTo("c2");
        assertThat(cluster.get("leader").asText()).isNotBlank();
        assertThat(cluster.get("members").size()).isGreaterThanOrEqualTo(2);
        assertThat(schema("Cluster").validate(cluster)).as("the standby's answer against the Cluster schema").isEmpty();
        assertThat(schema("Cluster").validate(JSON.readTree("{\"cluster\": 1}"))).as("the validator validates").isNotEmpty();

        HttpResponse<String> fromActing = send(actingPort, "GET", "/api/v1/cluster", viewer, null);
        assertThat(fromActing.statusCode()).isEqualTo(200);
        JsonNode same = JSON.readTree(fromActing.body());
        assertThat(same.at("/controllers/answered_by").asText()).isEqualTo("c1");
        assertThat(same.get("members")).isEqualTo(cluster.get("members"));
    }

    @Test
    @Order(2)
    void eachRoleIsAllowedAndRefusedOnMutatingRoutes() throws Exception {
        HttpResponse<String> none = send(standbyPort, "PUT", "/api/v1/spec/replicas", null, "{\"replicas\": 1}");
        assertProblem(none, 401, "unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertProblem(send(standbyPort, "PUT", "/api/v1/spec/replicas", "pgh_made_up", "{\"replicas\": 1}"), 401,
                "unauthorized");
        assertProblem(send(standbyPort, "PUT", "/api/v1/spec/replicas", viewer, "{\"replicas\": 1}"), 403, "forbidden");

        assertProblem(send(standbyPort, "POST", "/api/v1/pause", viewer, null), 403, "forbidden");
        HttpResponse<String> paused = send(standbyPort, "POST", "/api/v1/pause", operator, null);
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(JSON.readTree(paused.body()).get("paused").asBoolean()).isTrue();
        assertThat(up.cluster.readConfig().document().path("pause").asBoolean()).as("the pause flag in the DCS").isTrue();
        HttpResponse<String> resumed = send(standbyPort, "POST", "/api/v1/resume", admin, null);
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(up.cluster.readConfig().document().path("pause").asBoolean()).isFalse();

        assertProblem(send(standbyPort, "PATCH", "/api/v1/config", operator, "{\"loop_wait\": 2}"), 403, "forbidden");
        HttpResponse<String> patched = send(standbyPort, "PATCH", "/api/v1/config", admin,
                "{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(up.cluster.readConfig().document().at("/postgresql/parameters/work_mem").asText()).isEqualTo("8MB");

        assertProblem(send(standbyPort, "POST", "/api/v1/users", operator, "{\"name\": \"eve\", \"role\": \"admin\"}"), 403,
                "forbidden");
        HttpResponse<String> users = send(standbyPort, "GET", "/api/v1/users", admin, null);
        assertThat(users.statusCode()).isEqualTo(200);
        assertThat(users.body()).contains("\"ada\"", "\"otto\"", "\"vera\"").doesNotContain("eve");
    }

    @Test
    @Order(3)
    void badBodiesUnknownMembersAndTasksAndOutOfRangeCountsAreProblemDetails() throws Exception {
        HttpResponse<String> malformed = send(standbyPort, "PUT", "/api/v1/spec/replicas", operator, "{\"replicas\": ");
        assertProblem(malformed, 400, "bad-json");
        HttpResponse<String> text = send(standbyPort, "PUT", "/api/v1/spec/replicas", operator, "{\"replicas\": \"two\"}");
        assertProblem(text, 400, "invalid-field");
        assertThat(JSON.readTree(text.body()).get("field").asText()).isEqualTo("replicas");
        assertThat(JSON.readTree(text.body()).get("expected").asText()).isEqualTo("an integer from 0 to 16");
        Optional<Integer> before = up.cluster.readSpec().spec().map(Spec::readReplicas);
        HttpResponse<String> tooMany = send(standbyPort, "PUT", "/api/v1/spec/replicas", operator, "{\"replicas\": 17}");
        assertProblem(tooMany, 400, "invalid-field");
        assertThat(JSON.readTree(tooMany.body()).get("field").asText()).isEqualTo("replicas");
        assertProblem(send(standbyPort, "PUT", "/api/v1/spec/replicas", operator, "{\"replicas\": -1}"), 400, "invalid-field");
        assertThat(up.cluster.readSpec().spec().map(Spec::readReplicas)).as("nothing written").isEqualTo(before);

        HttpResponse<String> nobody = send(standbyPort, "POST", "/api/v1/switchover", operator, "{\"candidate\": \"nobody\"}");
        assertProblem(nobody, 404, "unknown-member");
        assertThat(JSON.readTree(nobody.body()).get("field").asText()).isEqualTo("candidate");
        assertThat(up.cluster.read().failover()).as("no switchover written").isEmpty();
        HttpResponse<String> noTask = send(standbyPort, "GET", "/api/v1/tasks/no-such-task", viewer, null);
        assertProblem(noTask, 404, "unknown-task");
        assertThat(schema("Problem").validate(JSON.readTree(noTask.body()))).as("a problem against the Problem schema")
                .isEmpty();
        assertProblem(send(standbyPort, "POST", "/api/v1/tasks/no-such-task/cancel", operator, null), 404, "unknown-task");
        for (HttpResponse<String> r : List.of(malformed, text, tooMany, nobody, noTask)) {
            assertThat(r.body()).doesNotContain("Exception", "java.", "io.pgherd.", "\tat ");
        }
    }

    @Test
    @Order(4)
    void aScaleThroughTheStandbysApiCompletesAsATaskOfTheActingControllerAndIsAudited() throws Exception {
        // pgherd up --replicas 1 runs one read replica and writes no spec; the controller removes only replicas it
        // created, so the scale adds one (as ReplicaScalingIT's first scale does).
        JsonNode cluster = JSON.readTree(send(standbyPort, "GET", "/api/v1/cluster", viewer, null).body());
        int running = cluster.at("/read_replicas/running").asInt();
        int target = running + 1;
        String type = "add_replica";
        HttpResponse<String> scaled = send(standbyPort, "PUT", "/api/v1/spec/replicas", operator,
                "{\"replicas\": " + target + "}");
        assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(200);
        assertThat(JSON.readTree(scaled.body()).get("changed").asBoolean()).isTrue();
        assertThat(up.cluster.readSpec().spec().orElseThrow().readReplicas()).isEqualTo(target);

        AtomicReference<JsonNode> succeeded = new AtomicReference<>();
        Await.until("a " + type + " task succeeds", TASK, () -> {
            for (JsonNode t : JSON.readTree(send(standbyPort, "GET", "/api/v1/tasks", viewer, null).body())) {
                if (t.get("type").asText().equals(type)) {
                    assertThat(t.get("state").asText()).as(t.toString()).isNotIn("failed", "cancelled");
                    if (t.get("state").asText().equals("succeeded")) {
                        succeeded.set(t);
                    }
                }
            }
            return succeeded.get() != null;
        });
        JsonNode task = succeeded.get();
        assertThat(task.get("owner").asText()).as("carried out by the acting controller").isEqualTo("c1");
        HttpResponse<String> one = send(standbyPort, "GET", "/api/v1/tasks/" + task.get("id").asText(), viewer, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(schema("Task").validate(JSON.readTree(one.body()))).isEmpty();

        JsonNode audit = JSON.readTree(send(standbyPort, "GET", "/api/v1/audit?limit=50", admin, null).body());
        List<JsonNode> scales = new ArrayList<>();
        audit.forEach(e -> {
            if (e.get("action").asText().equals("PUT /api/v1/spec/replicas")) {
                scales.add(e);
            }
        });
        assertThat(scales).as("every scale request, refused ones too").hasSizeGreaterThanOrEqualTo(7);
        JsonNode last = scales.get(scales.size() - 1);
        assertThat(last.get("user").asText()).isEqualTo("otto");
        assertThat(last.get("status").asInt()).isEqualTo(200);
        assertThat(last.get("target").asText()).isEqualTo("spec.read_replicas=" + target);
        assertThat(scales).anySatisfy(e -> assertThat(e.get("status").asInt()).isEqualTo(401))
                .anySatisfy(e -> assertThat(e.get("user").asText() + " " + e.get("status").asInt()).isEqualTo("vera 403"));
        assertThat(audit.toString()).doesNotContain(operator, viewer, admin);
    }

    /** A schema of the OpenAPI document the API serves, with its references resolved in the document. */
    private Schema schema(String name) throws IOException, InterruptedException {
        JsonNode document = JSON.readTree(send(standbyPort, "GET", "/api/v1/openapi.json", null, null).body());
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#/components/schemas/" + name);
        root.set("components", document.get("components"));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root.toString());
    }

    private HttpResponse<String> send(int port, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
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
                .startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("type").asText()).isEqualTo("https://pgherd.io/problems/" + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
    }
}
