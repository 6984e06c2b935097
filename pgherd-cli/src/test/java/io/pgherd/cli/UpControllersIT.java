package io.pgherd.cli;

import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.statusJson;
import static io.pgherd.cli.JarCli.statusJsonHere;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.controller.ControllerConfig;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code pgherd up --controllers 2 --detach}: two controller processes of the built jar, one acting (the
 * DCS's {@code controller} key, shown by {@code status}); {@code kill -9} of the acting one makes the other
 * act within the controllers' TTL and the background supervisor start the killed one again; an {@code up}
 * on the running cluster starts a controller that is missing; {@code down} stops them with the rest. And the
 * supervisor keeps a read replica made by the local provisioner running (restarts its agent after {@code kill -9})
 * until the controller marks it draining.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpControllersIT {
    private Path dir;
    private JarCli.Result up;

    @BeforeAll
    void upWithTwoControllers() throws Exception {
        dir = TestDirectories.create("UpControllersIT");
        up = pgherd("up", "--dir", dir.toString(), "--replicas", "0", "--controllers", "2", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()), "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
    }

    @AfterAll
    void downStopsTheControllersWithEverythingElse() throws Exception {
        if (dir == null) {
            return;
        }
        List<Long> processes = new ArrayList<>(postmasterPids(dir));
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertThat(down.stdout()).contains("pgherd: stopped the controllers c1, c2");
        assertNothingRunsIn(dir, processes);
        assertThat(controllerProcesses()).isEmpty();
    }

    @Test
    @Order(1)
    void twoControllerProcessesRunAndOneActs() throws Exception {
        assertThat(up.stdout()).containsPattern("c1 +control +pid \\d+").containsPattern("c2 +control +pid \\d+");
        for (String name : List.of("c1", "c2")) {
            ControllerConfig config = ControllerConfig.load(dir.resolve("controllers/" + name + ".yml"));
            assertThat(config.name()).isEqualTo(name);
            assertThat(config.get(ControllerConfig.CLUSTER)).isEqualTo("pgherd");
            assertThat(ForegroundSupervisorIT.permissions(dir.resolve("controllers/" + name + ".log"))).isEqualTo("rw-------");
        }
        assertThat(controllerProcesses()).containsExactlyInAnyOrder(pid("c1"), pid("c2"));
        String acting = awaitActing(Duration.ofSeconds(60), "");

        JsonNode controllers = statusJson(dir).get("controllers");
        assertThat(controllers).hasSize(2);
        for (JsonNode c : controllers) {
            assertThat(c.get("running").asBoolean()).as(c.toString()).isTrue();
            assertThat(c.get("pid").asLong()).isEqualTo(pid(c.get("name").asText()));
            assertThat(c.get("acting").asBoolean()).isEqualTo(c.get("name").asText().equals(acting));
        }
        String text = pgherd("status", "--dir", dir.toString()).stdout();
        assertThat(text).contains("acting controller: " + acting + " (epoch ").containsPattern(acting + " +control +\\d+ +running +- +acting");
    }

    @Test
    @Order(2)
    void theOtherActsWhenTheActingOneIsKilledAndTheSupervisorRestartsIt() throws Exception {
        String acting = awaitActing(Duration.ofSeconds(60), "");
        long epoch = statusJson(dir).get("controller_epoch").asLong();
        long killed = pid(acting);
        long ttl = ControllerConfig.load(dir.resolve("controllers/" + acting + ".yml")).get(ControllerConfig.TTL).toMillis();
        Instant at = Instant.now();
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();

        // A new epoch once the killed one's key expired (default controller ttl 10 s): taken by the other controller,
        // or by the killed one restarted by the supervisor meanwhile (both race for the free key; either is right).
        String[] next = new String[1];
        Await.until("a controller to act in a new epoch", Duration.ofSeconds(40), () -> {
            JsonNode status = statusJsonHere(dir);
            next[0] = status.get("acting_controller").asText("");
            return status.get("controller_epoch").asLong(0) > epoch;
        });
        System.out.println("UpControllersIT: " + next[0] + " acts " + Duration.between(at, Instant.now()).toMillis()
                + " ms after kill -9 of " + acting);
        assertThat(pid(next[0])).isNotEqualTo(killed);
        assertThat(Processes.isRunning(pid(next[0]))).isTrue();
        // When it took the key, as it records it: the killed one's session ends at most one TTL after the kill (and a
        // ZooKeeper tick of 500 ms), and a standby takes the key as soon as it is deleted.
        Await.until(next[0] + " shows that it acts", Duration.ofSeconds(30), () -> metric(next[0], "pgherd_controller_acting") == 1);
        double since = metricValue(next[0], "pgherd_controller_acting_since_timestamp_seconds");
        long after = Math.round(since * 1000) - at.toEpochMilli();
        System.out.println("UpControllersIT: " + next[0] + " took the controller key " + after + " ms after kill -9 of " + acting
                + " (ttl " + ttl + " ms), as it records it");
        assertThat(after).as("ms from kill -9 to the new acting controller's taking the key").isBetween(0L, ttl + 1500);

        Matcher restarted = awaitLog(Pattern.compile("pgherd: restarted controller " + acting + " \\(pid (\\d+)\\)"));
        assertThat(supervisorLog()).contains("pgherd: controller " + acting + " exited (pid " + killed + ")");
        long pid = Long.parseLong(restarted.group(1));
        assertThat(pid).isNotEqualTo(killed).isEqualTo(pid(acting));
        assertThat(controllerProcesses()).containsExactlyInAnyOrder(pid("c1"), pid("c2"));
    }

    @Test
    @Order(3)
    void upOnTheRunningClusterStartsAMissingControllerAndAddsMore() throws Exception {
        // Without the supervisor, so that 'up' is the one to start it.
        long supervisor = Long.parseLong(Files.readString(dir.resolve("supervisor.pid")).strip());
        new ProcessBuilder("kill", "-9", Long.toString(supervisor)).inheritIO().start().waitFor();
        Await.until("the supervisor to exit", Duration.ofSeconds(30), () -> !Processes.isRunning(supervisor));
        long c2 = pid("c2");
        new ProcessBuilder("kill", "-9", Long.toString(c2)).inheritIO().start().waitFor();
        Await.until("c2 to exit", Duration.ofSeconds(30), () -> !Processes.isRunning(c2));

        JarCli.Result missing = pgherd("up", "--dir", dir.toString(), "--detach", "--controllers", "3");
        assertThat(missing.exit()).as(missing.toString()).isZero();
        assertThat(missing.stdout()).contains("pgherd: adding controller c3 to the cluster");
        assertThat(controllerProcesses()).containsExactlyInAnyOrder(pid("c1"), pid("c2"), pid("c3"));
        assertThat(pid("c2")).isNotEqualTo(c2);
        JarCli.Result fewer = pgherd("up", "--dir", dir.toString(), "--detach", "--controllers", "1");
        assertThat(fewer.exit()).as(fewer.toString()).isZero();
        assertThat(fewer.stdout()).contains("pgherd: keeping the cluster's 3 controllers (--controllers 1 does not remove any)");
        assertThat(controllerProcesses()).hasSize(3);
    }

    @Test
    @Order(4)
    void theSupervisorKeepsAProvisionedReplicaRunningUntilItIsDrained() throws Exception {
        ClusterDirectory directory = new ClusterDirectory(dir);
        int from = FreePorts.allocate(4).stream().min(Integer::compare).orElseThrow();
        LocalProvisioner provisioner = new LocalProvisioner(directory, from, from + 40, Optional.of(JarCli.JAR.toString()));
        provisioner.provision("node9", "");
        provisioner.start("node9");
        LocalState state = directory.read();
        Await.until("node9 to stream", Duration.ofSeconds(180), () -> {
            Member record = store(state, ClusterStore::read).members().get("node9");
            return record != null && record.running() && record.inRecovery();
        });
        // A running read replica (it counts whoever made it), as the acting controller's metrics show it.
        Await.until("the acting controller counts node9 running", Duration.ofSeconds(60), () -> {
            String acting = statusJsonHere(dir).get("acting_controller").asText("");
            return !acting.isEmpty() && metric(acting, "pgherd_controller_read_replicas_running") == 1;
        });

        long killed = pidIn("agents/node9.pid");
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();
        Matcher restarted = awaitLog(Pattern.compile("pgherd: restarted agent node9 \\(pid (\\d+)\\)"));
        assertThat(Long.parseLong(restarted.group(1))).isNotEqualTo(killed).isEqualTo(pidIn("agents/node9.pid"));

        // Marked draining (the controller removes it): its agent dying now is not restarted.
        store(state, s -> {
            s.putAssignment(Assignment.of("node9", Assignment.Role.REPLICA, true, "t-1", 1));
            return null;
        });
        // The supervisor read a snapshot with node9 draining, so with its assignment (written before the record said so).
        awaitLog(Pattern.compile("pgherd: node9 is draining: the proxies send it no new reads"));
        int before = supervisorLog().length();
        long drained = pidIn("agents/node9.pid");
        new ProcessBuilder("kill", "-9", Long.toString(drained)).inheritIO().start().waitFor();
        // A controller killed after it: once the supervisor restarted that one, it has seen node9 exit too.
        long controller = pid("c1");
        new ProcessBuilder("kill", "-9", Long.toString(controller)).inheritIO().start().waitFor();
        awaitLog(before, Pattern.compile("pgherd: restarted controller c1 \\(pid \\d+\\)"));
        assertThat(supervisorLog().substring(before)).doesNotContain("agent node9");
        assertThat(Processes.isRunning(drained)).isFalse();

        provisioner.release("node9");
        store(state, s -> s.deleteAssignment("node9"));
        assertThat(provisioner.list()).isEmpty();
        assertThat(Files.exists(dir.resolve("agents/node9.pid"))).isFalse();
    }

    @Test
    @Order(5)
    void eachControllerServesItsMetricsAndTheActingOneShowsTheDesiredCountOnceScaled() throws Exception {
        // Last: the spec it sets stays (the provisioned replica of the test before is not the controller's anyway).
        for (String name : List.of("c1", "c2", "c3")) {
            int port = ControllerConfig.load(dir.resolve("controllers/" + name + ".yml")).get(ControllerConfig.METRICS_LISTEN).port();
            assertThat(metricsUrl(name)).isEqualTo("http://127.0.0.1:" + port + "/metrics");
        }
        assertThat(up.stdout()).contains("metrics: http://127.0.0.1:" + metricsUrl("c1").split(":")[2]);
        // The test before killed a controller: wait for the one acting now (status names it) to show it, and another to
        // stand by in the same epoch.
        String[] seen = new String[2];
        long[] epochs = new long[1];
        Await.until("a controller acts and another stands by, as their metrics show", Duration.ofSeconds(90), () -> {
            JsonNode status = statusJsonHere(dir);
            seen[0] = status.get("acting_controller").asText("");
            seen[1] = seen[0].equals("c1") ? "c2" : "c1";
            epochs[0] = status.get("controller_epoch").asLong(0);
            return !seen[0].isEmpty() && metric(seen[0], "pgherd_controller_acting") == 1
                    && metric(seen[0], "pgherd_controller_epoch") == epochs[0] && metric(seen[1], "pgherd_controller_epoch") == epochs[0]
                    && metric(seen[0], "pgherd_controller_read_replicas_running") == 0;
        });
        String acting = seen[0];
        String standby = seen[1];
        long epoch = epochs[0];
        assertThat(metric(acting, "pgherd_controller_acting")).isEqualTo(1);
        assertThat(metric(standby, "pgherd_controller_acting")).isZero();
        assertThat(metric(acting, "pgherd_controller_epoch")).isEqualTo(epoch);
        assertThat(scrape(standby)).doesNotContain("pgherd_controller_read_replicas_running");
        assertThat(scrape(acting)).doesNotContain("pgherd_controller_read_replicas_desired");

        JarCli.Result scale = pgherd("scale", "--dir", dir.toString(), "--replicas", "0");
        assertThat(scale.exit()).as(scale.toString()).isZero();
        Await.until("the acting controller shows the desired count", Duration.ofSeconds(30),
                () -> metric(acting, "pgherd_controller_read_replicas_desired") == 0);
        assertThat(metric(acting, "pgherd_controller_read_replicas_running")).isZero();
    }

    private String metricsUrl(String controller) throws Exception {
        for (JsonNode c : statusJson(dir).get("controllers")) {
            if (c.get("name").asText().equals(controller)) {
                return c.get("metrics_url").asText();
            }
        }
        throw new AssertionError("no controller " + controller + " in status --json");
    }

    /** The text of {@code controller}'s /metrics (port as its configuration records it). */
    private String scrape(String controller) throws Exception {
        int port = ControllerConfig.load(dir.resolve("controllers/" + controller + ".yml")).get(ControllerConfig.METRICS_LISTEN).port();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** One sample of {@code controller}'s metrics; -1 when it is not shown or the controller does not answer. */
    private long metric(String controller, String name) {
        try {
            return Math.round(metricValue(controller, name));
        } catch (Exception | AssertionError e) {
            return -1;
        }
    }

    private double metricValue(String controller, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(scrape(controller));
        if (!m.find()) {
            throw new AssertionError(name + " not shown by " + controller);
        }
        return Double.parseDouble(m.group(1));
    }

    private <T> T store(LocalState state, Function<ClusterStore, T> call) {
        try (Dcs dcs = Dcs.connect(DcsAddress.parse(state.dcs()), Duration.ofSeconds(5))) {
            return call.apply(new ClusterStore(dcs, state.cluster()));
        }
    }

    /** The acting controller other than {@code not}, once status shows one. */
    private String awaitActing(Duration within, String not) {
        String[] acting = new String[1];
        Await.until("a controller other than '" + not + "' to act", within, () -> {
            JsonNode name = statusJsonHere(dir).get("acting_controller");
            acting[0] = name == null || name.isNull() ? "" : name.asText();
            return !acting[0].isEmpty() && !acting[0].equals(not);
        });
        return acting[0];
    }

    private Matcher awaitLog(Pattern pattern) {
        return awaitLog(0, pattern);
    }

    /** The first match of {@code pattern} in supervisor.log after its first {@code from} characters, once there is one. */
    private Matcher awaitLog(int from, Pattern pattern) {
        Matcher[] found = new Matcher[1];
        Await.until("'" + pattern + "' in supervisor.log", Duration.ofSeconds(90), () -> {
            Matcher m = pattern.matcher(supervisorLog().substring(from));
            found[0] = m;
            return m.find();
        });
        return found[0];
    }

    private String supervisorLog() throws Exception {
        return Files.readString(dir.resolve("supervisor.log"));
    }

    private long pid(String controller) throws Exception {
        return pidIn("controllers/" + controller + ".pid");
    }

    private long pidIn(String file) throws Exception {
        return Long.parseLong(Files.readString(dir.resolve(file)).strip());
    }

    private List<Long> controllerProcesses() {
        return ProcessHandle.allProcesses().filter(p -> Processes.isRunning(p.pid()))
                .filter(p -> p.info().commandLine().orElse("").contains(" controller --config " + dir))
                .map(ProcessHandle::pid).toList();
    }
}
