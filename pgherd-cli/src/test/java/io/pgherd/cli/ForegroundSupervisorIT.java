package io.pgherd.cli;

import static io.pgherd.cli.JarCli.COMMAND_TIMEOUT;
import static io.pgherd.cli.JarCli.JAR;
import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.statusJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * A foreground {@code pgherd up} supervises its cluster: one cluster (node1 leading, node2 its
 * standby, the embedded ZooKeeper, the proxy inside the {@code up} process), faults injected with
 * {@code kill -9}, what {@code up} prints read from its output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForegroundSupervisorIT {
    private Path dir;
    private Process up;
    private Path output;

    @BeforeAll
    void startAForegroundUp() throws Exception {
        dir = TestDirectories.create("ForegroundSupervisorIT");
        output = dir.resolve("up.out");
        up = new ProcessBuilder("java", "-jar", JAR.toString(), "up", "--dir", dir.toString(), "--replicas", "0",
                "--base-port", Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()))
                .redirectOutput(output.toFile()).redirectError(dir.resolve("up.err").toFile()).start();
        Await.until("the foreground up to report it runs", COMMAND_TIMEOUT, () -> {
            if (!up.isAlive()) {
                throw new AssertionError("up exited with " + up.exitValue() + ": " + Files.readString(dir.resolve("up.err")));
            }
            return Files.readString(output).contains("press Ctrl-C to stop");
        });
    }

    @AfterAll
    void downStopsTheForegroundUpAndEverything() throws Exception {
        if (dir == null) {
            return;
        }
        List<Long> postmasters = postmasterPids(dir);
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertThat(up.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertNothingRunsIn(dir, postmasters);
    }

    @Test
    @Order(1)
    void aSecondUpReportsTheForegroundSupervisorAndStartsNoOther() throws Exception {
        for (List<String> again : List.of(List.of("up", "--dir", dir.toString(), "--detach"), List.of("up", "--dir",
                dir.toString()))) {
            JarCli.Result result = pgherd(again.toArray(String[]::new));
            assertThat(result.exit()).as(result.toString()).isZero();
            assertThat(result.stdout()).contains("is already running, supervised by pid " + up.pid()
                    + " (a foreground 'pgherd up' in another terminal); nothing changed.");
        }
        assertThat(dir.resolve("supervisor.pid")).doesNotExist();
        assertThat(supervisorProcesses()).isEmpty();
        assertThat(Files.readString(dir.resolve(ClusterDirectory.PID_FILE)).strip()).isEqualTo(Long.toString(up.pid()));

        JsonNode supervisor = statusJson(dir).get("supervisor");
        assertThat(supervisor.get("pid").asLong()).isEqualTo(up.pid());
        assertThat(supervisor.get("running").asBoolean()).isTrue();
        assertThat(supervisor.get("kind").asText()).isEqualTo("foreground");
        assertThat(pgherd("status", "--dir", dir.toString()).stdout())
                .contains("supervised by pid " + up.pid() + " (foreground 'pgherd up'), running");
    }

    @Test
    @Order(2)
    void aKilledAgentIsRestartedAndUpSaysSo() throws Exception {
        long killed = agentPid("node2");
        new ProcessBuilder("kill", "-9", Long.toString(killed)).inheritIO().start().waitFor();

        Matcher restarted = awaitOutput(Pattern.compile("pgherd: restarted agent node2 \\(pid (\\d+)\\)"));
        assertThat(Files.readString(output)).contains("pgherd: agent node2 exited (pid " + killed + "); restarting it in 1 s");
        long pid = Long.parseLong(restarted.group(1));
        assertThat(pid).isNotEqualTo(killed);
        assertThat(Processes.isRunning(pid)).isTrue();
        assertThat(agentPid("node2")).isEqualTo(pid);
        Await.until("node2 streaming again in 'pgherd list'", Duration.ofSeconds(60), () -> {
            JarCli.Result list = pgherd("list", "--dir", dir.toString());
            return list.stdout().contains("leader node1") && Pattern.compile("node2 .* standby +streaming")
                    .matcher(list.stdout()).find();
        });
    }

    @Test
    @Order(3)
    void theAgentsDecisionsAreShownByTheForegroundUp() throws Exception {
        JarCli.Result switchover = pgherd("switchover", "--dir", dir.toString(), "--candidate", "node2", "--force");
        assertThat(switchover.exit()).as(switchover.toString()).isZero();

        awaitOutput(Pattern.compile("pgherd: node2 promoted \\(switchover from node1\\), timeline \\d+"));
        // The old primary comes back as a standby of node2: in one step, or started first and then following.
        awaitOutput(Pattern.compile("pgherd: node1 (rejoined as a standby \\(|started PostgreSQL \\(|)follows node2"));
    }

    @Test
    @Order(4)
    void logFilesAreOwnerOnly() {
        for (String log : List.of("agents/node1.log", "agents/node2.log", "zookeeper.log")) {
            assertThat(permissions(dir.resolve(log))).as(log).isEqualTo("rw-------");
        }
    }

    static String permissions(Path file) {
        try {
            return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (java.io.IOException e) {
            throw new AssertionError("no " + file, e);
        }
    }

    private Matcher awaitOutput(Pattern pattern) {
        Matcher[] found = new Matcher[1];
        Await.until("'" + pattern + "' in the foreground up's output", Duration.ofSeconds(90), () -> {
            Matcher m = pattern.matcher(Files.readString(output));
            found[0] = m;
            return m.find();
        });
        return found[0];
    }

    private long agentPid(String node) throws Exception {
        return Long.parseLong(Files.readString(dir.resolve("agents").resolve(node + ".pid")).strip());
    }

    private List<Long> supervisorProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(" supervise --dir "
                + dir)).map(ProcessHandle::pid).toList();
    }
}
