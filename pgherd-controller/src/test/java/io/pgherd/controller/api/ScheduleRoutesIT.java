package io.pgherd.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ScheduleStore;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.access.AuditEntry;
import io.pgherd.controller.access.DcsAccess;
import io.pgherd.controller.access.DcsAuditLog;
import io.pgherd.controller.access.DcsDirectory;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.metrics.ControllerStatus;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.testkit.EtcdServer;

/**
 * {@code /api/v1/schedules} on a real etcd with the real store of users, tokens and the audit log: a viewer lists but
 * may not add (403); an operator's schedule with a bad expression and an unknown zone is a 400 naming the field, with
 * nothing written; a good one is a 201 and is listed with its next due time; a second of the same name is a 409; it is
 * removed once (204, then 404); each change is in the audit log under the operator's name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleRoutesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EtcdServer etcd;
    private Dcs dcs;
    private ApiServer server;
    private ClusterStore store;
    private DcsDirectory directory;
    private DcsAuditLog audit;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start(@TempDir Path directory) {
        etcd = EtcdServer.start(directory);
        dcs = Dcs.connect(DcsAddress.parse(etcd.url()), Duration.ofSeconds(5));
        store = new ClusterStore(dcs, "sched");
        this.directory = new DcsDirectory(store, Clock.systemUTC());
        audit = new DcsAuditLog(store);
        server = new ApiServer(new HostPort("127.0.0.1", 0), Optional.empty(), new ApiServices(store, new DcsAccess(store),
                this.directory, audit, () -> ControllerStatus.starting("c1", "sched"), Clock.systemUTC()));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (dcs != null) {
            dcs.close();
        }
        if (etcd != null) {
            etcd.kill();
        }
    }

    @Test
    void aViewerListsAnOperatorAddsAndRemovesAndBadInputWritesNothing() throws Exception {
        directory.addUser("vera", Role.VIEWER);
        directory.addUser("otto", Role.OPERATOR);
        String viewer = directory.createToken("vera", Optional.empty()).secret();
        String operator = directory.createToken("otto", Optional.empty()).secret();
        String good = "{\"name\": \"weekday-up\", \"cron\": \"0 8 * * 1-5\", \"zone\": \"Europe/Berlin\", \"read_replicas\": 4}";

        assertThat(send(viewer, "POST", "/api/v1/schedules", good).statusCode()).isEqualTo(403);
        HttpResponse<String> bad = send(operator, "POST", "/api/v1/schedules",
                "{\"name\": \"x\", \"cron\": \"0 25 * * *\", \"zone\": \"Mars/Olympus\", \"read_replicas\": 4}");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(bad.body());
        assertThat(problem.get("type").asText()).isEqualTo(Problem.TYPES + "invalid-field");
        assertThat(problem.get("field").asText()).isEqualTo("cron");
        assertThat(problem.get("detail").asText()).contains("Mars/Olympus").doesNotContain("Exception");
        assertThat(new ScheduleStore(store).list()).as("nothing written").isEmpty();
        assertThat(send(operator, "POST", "/api/v1/schedules", "{\"name\": \"y\", \"cron\": \"0 8 * * *\", \"read_replicas\": \"4\"}")
                .statusCode()).isEqualTo(400);

        HttpResponse<String> added = send(operator, "POST", "/api/v1/schedules", good);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(send(operator, "POST", "/api/v1/schedules", good).statusCode()).isEqualTo(409);

        JsonNode listed = JSON.readTree(send(viewer, "GET", "/api/v1/schedules", null).body());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("name").asText()).isEqualTo("weekday-up");
        assertThat(listed.get(0).get("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(listed.get(0).get("action").get("read_replicas").asInt()).isEqualTo(4);
        assertThat(Instant.parse(listed.get(0).get("next_due").asText())).isAfter(Instant.now());

        assertThat(send(viewer, "DELETE", "/api/v1/schedules/weekday-up", null).statusCode()).isEqualTo(403);
        assertThat(send(operator, "DELETE", "/api/v1/schedules/weekday-up", null).statusCode()).isEqualTo(204);
        HttpResponse<String> again = send(operator, "DELETE", "/api/v1/schedules/weekday-up", null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(again.body()).get("type").asText()).isEqualTo(Problem.TYPES + "unknown-schedule");
        assertThat(new ScheduleStore(store).list()).isEmpty();

        assertThat(audit.recent(20)).filteredOn(e -> e.action().contains("/schedules"))
                .extracting(AuditEntry::user, AuditEntry::status)
                .containsExactly(
                        tuple("vera", 403), tuple("otto", 400),
                        tuple("otto", 400), tuple("otto", 201),
                        tuple("otto", 409), tuple("vera", 403),
                        tuple("otto", 204), tuple("otto", 404));
    }

    private HttpResponse<String> send(String token, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
