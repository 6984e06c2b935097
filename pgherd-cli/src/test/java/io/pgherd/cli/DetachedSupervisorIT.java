package io.pgherd.cli;

import static io.pgherd.cli.ForegroundSupervisorIT.permissions;
import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.psql;
import static io.pgherd.cli.JarCli.statusJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * A detached cluster ({@code pgherd up --detach}) is supervised by a background process that the
 * next {@code up} finds and {@code down} stops first: one cluster (node1, node2, the embedded
 * ZooKeeper, the proxy as its own process), faults injected with {@code kill -9}, what the
 * supervisor did read from its log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetachedSupervisorIT {
    private Path dir;
    private JarCli.Result up;

    @BeforeAll
    void upDetached() throws Exception {
        dir = TestDirectories.create("DetachedSupervisorIT");
        up = pgherd("up", "--dir", dir.toString(), "--replicas", "0", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()), "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
    }

    @AfterAll
    void downStopsTheSupervisorFirstThenEverything() throws Exception {
        if (dir == null) {
            return;
        }
        List<Long> processes = new ArrayList<>(postmasterPids(dir));
        String supervisor = Files.exists(dir.resolve("supervisor.pid")) ? Long.toString(supervisorPid()) : "none";
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertNothingRunsIn(dir, processes);
        assertThat(down.stdout()).startsWith("pgherd: stopped the background supervisor (pid " + supervisor + ")");
        assertThat(Files.readString(dir.resolve("supervisor.log"))).doesNotContain("agent node1 exited");
    }

    @Test
    @Order(1)
    void statusShowsTheBackgroundSupervisorAndASecondUpReportsIt() throws Exception {
        assertThat(up.stdout()).contains("pgherd: supervised by the background supervisor (log " + dir.resolve("supervisor.log")
                + "): it restarts a process that exits.");
        long supervisor = supervisorPid();
        assertThat(Processes.isRunning(supervisor)).isTrue();
        JsonNode status = statusJson(dir).get("supervisor");
        assertThat(status.get("pid").asLong()).isEqualTo(supervisor);
        assertThat(status.get("running").asBoolean()).isTrue();
        assertThat(status.get("kind").asText()).isEqualTo("background");

        JarCli.Result again = pgherd("up", "--dir", dir.toString(), "--detach");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("is already running, supervised by pid " + supervisor
                + " (the background supervisor); nothing changed.");
        assertThat(supervisorPid()).isEqualTo(supervisor);
        assertThat(supervisorProcesses()).containsExactly(supervisor);
    }

    @Test
    @Order(2)
    void aKilledAgentIsRestartedAndTheSupervisorLogSaysSo() throws Exception {
        long killed = pid("agents/node2.pid");
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();

        Matcher restarted = awaitLog(Pattern.compile("pgherd: restarted agent node2 \\(pid (\\d+)\\)"));
        assertThat(log()).contains("pgherd: agent node2 exited (pid " + killed + "); restarting it in 1 s");
        long pid = Long.parseLong(restarted.group(1));
        assertThat(pid).isNotEqualTo(killed);
        assertThat(pid("agents/node2.pid")).isEqualTo(pid);
        Await.until("node2 streaming again in 'pgherd list'", Duration.ofSeconds(60), () -> {
            JarCli.Result list = pgherd("list", "--dir", dir.toString());
            return list.stdout().contains("leader node1") && Pattern.compile("node2 .* standby +streaming")
                    .matcher(list.stdout()).find();
        });
    }

    @Test
    @Order(3)
    void aKilledProxyIsRestartedOnItsPort() throws Exception {
        long killed = pid("proxy.pid");
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();

        Matcher restarted = awaitLog(Pattern.compile("pgherd: restarted proxy proxy1 \\(pid (\\d+)\\)"));
        assertThat(log()).contains("pgherd: proxy proxy1 exited (pid " + killed + "); restarting it in 1 s");
        assertThat(Long.parseLong(restarted.group(1))).isNotEqualTo(killed);
        JsonNode proxy = statusJson(dir).get("proxy");
        assertThat(proxy.get("running").asBoolean()).isTrue();
        assertThat(psql(proxy.get("uri").asText(), "select 'through the restarted proxy'"))
                .isEqualTo("through the restarted proxy");
    }

    @Test
    @Order(4)
    void logFilesAreOwnerOnly() {
        for (String log : List.of("proxy.log", "supervisor.log", "agents/node1.log", "agents/node2.log", "zookeeper.log")) {
            assertThat(permissions(dir.resolve(log))).as(log).isEqualTo("rw-------");
        }
    }

    @Test
    @Order(5)
    void aClusterWhoseSupervisorWasKilledGetsANewOneFromTheNextUp() throws Exception {
        long killed = supervisorPid();
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();
        Await.until("the supervisor to exit", Duration.ofSeconds(30), () -> !Processes.isRunning(killed));
        assertThat(pgherd("status", "--dir", dir.toString()).stdout()).contains("no supervisor running");

        JarCli.Result again = pgherd("up", "--dir", dir.toString(), "--detach");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("is already running without a supervisor; nothing changed but that: started the"
                + " background supervisor (pid " + supervisorPid() + ", log " + dir.resolve("supervisor.log") + ").");
        assertThat(supervisorPid()).isNotEqualTo(killed);
        assertThat(supervisorProcesses()).containsExactly(supervisorPid());
    }

    private Matcher awaitLog(Pattern pattern) {
        Matcher[] found = new Matcher[1];
        Await.until("'" + pattern + "' in supervisor.log", Duration.ofSeconds(90), () -> {
            Matcher m = pattern.matcher(log());
            found[0] = m;
            return m.find();
        });
        return found[0];
    }

    private String log() throws Exception {
        return Files.readString(dir.resolve("supervisor.log"));
    }

    private long supervisorPid() throws Exception {
        return pid("supervisor.pid");
    }

    private long pid(String file) throws Exception {
        return Long.parseLong(Files.readString(dir.resolve(file)).strip());
    }

    private List<Long> supervisorProcesses() {
        return ProcessHandle.allProcesses().filter(p -> Processes.isRunning(p.pid()))
                .filter(p -> p.info().commandLine().orElse("").contains(" supervise --dir " + dir))
                .map(ProcessHandle::pid).toList();
    }
}
