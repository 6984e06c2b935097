package io.pgherd.cli;

import static io.pgherd.cli.JarCli.COMMAND_TIMEOUT;
import static io.pgherd.cli.JarCli.JAR;
import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.psql;
import static io.pgherd.cli.JarCli.psqlLines;
import static io.pgherd.cli.JarCli.statusJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/** The command line end to end: the shaded jar run as a separate process, over real servers, checked with psql. */
class CliIT {

    private final List<Path> started = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopWhatTheTestStarted() throws Exception {
        for (Path dir : started) {
            if (Files.exists(dir.resolve("pgherd.json"))) {
                pgherd("down", "--dir", dir.toString());
            }
        }
    }

    private Path clusterDir(String prefix) {
        Path dir = TestDirectories.create(prefix);
        started.add(dir);
        return dir;
    }

    @Test
    void upStatusPsqlDownAndUpAgainReusesTheCluster() throws Exception {
        Path dir = clusterDir("CliIT-lifecycle");
        int basePort = FreePorts.allocate();

        JarCli.Result up = pgherd("up", "--dir", dir.toString(), "--base-port", Integer.toString(basePort), "--proxy-port",
                Integer.toString(FreePorts.allocate()), "--metrics-port", Integer.toString(FreePorts.allocate()),
                "--zookeeper-port", Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()),
                "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
        assertThat(up.stdout()).contains("node1    primary  127.0.0.1:", "node2    standby  127.0.0.1:",
                "node3    replica  127.0.0.1:", "node4    replica  127.0.0.1:", "superuser.password");
        String password = Files.readString(dir.resolve("superuser.password")).strip();
        assertThat(up.stdout() + up.stderr()).doesNotContain(password);
        assertThat(Files.getPosixFilePermissions(dir.resolve("superuser.password")))
                .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");

        JsonNode status = statusJson(dir);
        assertThat(status.get("nodes")).hasSize(4);
        Map<String, String> roles = new TreeMap<>();
        for (JsonNode node : status.get("nodes")) {
            roles.put(node.get("name").asText(), node.get("role").asText());
            assertThat(node.get("running").asBoolean()).isTrue();
            assertThat(node.get("uri").asText())
                    .isEqualTo("postgresql://postgres:" + password + "@127.0.0.1:" + node.get("port").asInt() + "/postgres");
        }
        assertThat(roles).containsExactlyEntriesOf(new TreeMap<>(Map.of("node1", "primary", "node2", "standby",
                "node3", "replica", "node4", "replica")));
        assertThat(status.get("nodes").get(0).get("port").asInt()).isGreaterThanOrEqualTo(basePort);

        String primaryUri = status.get("nodes").get(0).get("uri").asText();
        assertThat(psql(primaryUri, "create table cli_it as select generate_series(1, 42) as n; select count(*) from cli_it"))
                .isEqualTo("42");
        for (JsonNode node : status.get("nodes")) {
            String uri = node.get("uri").asText();
            boolean follower = !node.get("role").asText().equals("primary");
            assertThat(psql(uri, "select pg_is_in_recovery()")).isEqualTo(follower ? "t" : "f");
            Await.until("table on " + node.get("name").asText(), Duration.ofSeconds(30),
                    () -> "42".equals(psql(uri, "select count(*) from cli_it")));
        }
        List<Long> postmasters = postmasterPids(dir);
        assertThat(postmasters).hasSize(4);

        JsonNode proxy = status.get("proxy");
        assertThat(proxy.get("running").asBoolean()).isTrue();
        String proxyUri = proxy.get("uri").asText();
        assertThat(proxyUri).isEqualTo("postgresql://postgres:" + password + "@127.0.0.1:" + proxy.get("port").asInt()
                + "/postgres");
        assertThat(psql(proxyUri, "select count(*) from cli_it")).isEqualTo("42");
        assertThat(psql(proxy.get("admin_uri").asText(), "show pools")).contains("node1|postgres|postgres");
        // up configured the proxy with every node: reads go to the standby and replicas, writes to the primary.
        String adminUri = proxy.get("admin_uri").asText();
        assertThat(psqlLines(adminUri, "show nodes")).hasSize(4).satisfiesExactly(
                l -> assertThat(l).startsWith("node1|").contains("|primary|"),
                l -> assertThat(l).startsWith("node2|").contains("|standby|"),
                l -> assertThat(l).startsWith("node3|").contains("|replica|"),
                l -> assertThat(l).startsWith("node4|").contains("|replica|"));
        Await.until("the proxy's health checks see every node up", Duration.ofSeconds(30),
                () -> psqlLines(adminUri, "show nodes").stream().filter(l -> l.contains("|up|")).count() == 4);
        assertThat(psql(proxyUri, "select pg_is_in_recovery()")).isEqualTo("t");
        assertThat(psql(proxyUri, "select pg_is_in_recovery(), txid_current() > 0")).isEqualTo("f|t");
        ExternalCommand.run(List.of("pgbench", "-i", "-s", "1", proxyUri), Map.of(), Duration.ofMinutes(2)).requireSuccess();
        ExternalCommand.Outcome bench = ExternalCommand.run(List.of("pgbench", "-c", "4", "-t", "50", proxyUri), Map.of(),
                Duration.ofMinutes(2)).requireSuccess();
        assertThat(bench.stdout()).contains("number of transactions actually processed: 200/200",
                "number of failed transactions: 0");
        List<Long> processes = new ArrayList<>(postmasters);
        processes.add(Long.parseLong(Files.readString(dir.resolve("proxy.pid")).strip()));
        processes.add(Long.parseLong(Files.readString(dir.resolve("zookeeper.pid")).strip()));
        for (JsonNode node : status.get("nodes")) {
            assertThat(node.get("agent").get("running").asBoolean()).isTrue();
            processes.add(node.get("agent").get("pid").asLong());
        }
        assertThat(status.get("leader").asText()).isEqualTo("node1");

        JarCli.Result again = pgherd("up", "--dir", dir.toString(), "--detach");
        assertThat(again.exit()).isZero();
        assertThat(again.stdout()).contains("is already running, supervised by pid "
                + Files.readString(dir.resolve("supervisor.pid")).strip() + " (the background supervisor); nothing changed.");
        assertThat(postmasterPids(dir)).isEqualTo(postmasters);

        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertThat(down.stdout()).contains("stopped the proxy, the agents and node1, node2, node3, node4, ZooKeeper");
        assertNothingRunsIn(dir, processes);
        JsonNode stopped = statusJson(dir);
        for (JsonNode node : stopped.get("nodes")) {
            assertThat(node.get("state").asText()).isEqualTo("stopped");
        }

        JarCli.Result reuse = pgherd("up", "--dir", dir.toString(), "--detach");
        assertThat(reuse.exit()).as(reuse.toString()).isZero();
        assertThat(psql(statusJson(dir).get("nodes").get(3).get("uri").asText(), "select count(*) from cli_it"))
                .isEqualTo("42");
        assertThat(psql(statusJson(dir).get("proxy").get("uri").asText(), "select count(*) from cli_it")).isEqualTo("42");
        List<Long> second = postmasterPids(dir);
        assertThat(pgherd("down", "--dir", dir.toString()).exit()).isZero();
        assertNothingRunsIn(dir, second);
    }

    @Test
    void aForegroundUpStopsEverythingOnCtrlC() throws Exception {
        Path dir = clusterDir("CliIT-foreground");
        Process up = startForeground(dir);
        List<Long> postmasters = postmasterPids(dir);
        assertThat(psql(statusJson(dir).get("proxy").get("uri").asText(), "select 'through the foreground proxy'"))
                .isEqualTo("through the foreground proxy");
        new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).inheritIO().start().waitFor();
        boolean exited = up.waitFor(90, TimeUnit.SECONDS);
        // If it hangs, say where: the threads of the process that did not exit.
        assertThat(exited).as(() -> "foreground up exits after SIGINT; its threads:\n" + threadsOf(up)).isTrue();
        assertNothingRunsIn(dir, postmasters);
        assertThat(dir.resolve(ClusterDirectory.PID_FILE)).doesNotExist();
    }

    @Test
    void downStopsAForegroundUpAndItsServers() throws Exception {
        Path dir = clusterDir("CliIT-down-foreground");
        Process up = startForeground(dir);
        List<Long> postmasters = postmasterPids(dir);
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertThat(down.stdout()).contains("stopping the foreground 'pgherd up' (pid " + up.pid() + ")");
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertNothingRunsIn(dir, postmasters);
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        for (String command : List.of("up", "down", "status")) {
            JarCli.Result help = pgherd(command, "--help");
            assertThat(help.exit()).isZero();
            assertThat(help.stdout()).startsWith("Usage: pgherd " + command).contains("--dir=DIR");
        }
        assertThat(pgherd("up", "--help").stdout()).contains("--proxies=N", "Proxies to run, 1..9, named proxy1..proxyN");
        assertThat(pgherd("--help").stdout()).contains("up", "down", "status");
        assertThat(pgherd("--version").stdout()).startsWith("pgherd ");
    }

    @Test
    void statusAndDownWithoutAClusterSayHowToStartOne() throws Exception {
        Path dir = TestDirectories.create("CliIT-empty");
        for (String command : List.of("status", "down")) {
            JarCli.Result result = pgherd(command, "--dir", dir.toString());
            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.stderr()).contains("pgherd: no pgherd cluster in " + dir + " (no pgherd.json); start one with"
                    + " './pgherd up --dir " + dir + "'");
        }
    }

    @Test
    void badOptionsAreRefusedWithEveryProblemListed() throws Exception {
        Path dir = TestDirectories.create("CliIT-bad");
        JarCli.Result result = pgherd("up", "--dir", dir.toString(), "--replicas", "-1", "--proxies", "10", "--base-port", "80",
                "--detach");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.stderr()).contains("--replicas must be 0..16 (got -1); --proxies must be 1..9 (got 10); --base-port"
                + " must be 1024..65000 (got 80)");
        assertThat(dir.resolve("pgherd.json")).doesNotExist();
    }

    private static String threadsOf(Process process) {
        try {
            return ExternalCommand.run(List.of("jstack", Long.toString(process.pid())), Map.of(), Duration.ofSeconds(30))
                    .stdout();
        } catch (RuntimeException e) {
            return "(jstack failed: " + e.getMessage() + ")";
        }
    }

    private static Process startForeground(Path dir) throws IOException {
        Path out = dir.resolve("up.out");
        // As from a terminal, where Ctrl-C reaches the command: a build started in the background (by a
        // non-interactive shell) passes SIGINT on as ignored, and a JVM started that way never sees it.
        Process up = new ProcessBuilder("python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT,"
                + " signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])", "java", "-jar", JAR.toString(), "up", "--dir",
                dir.toString(), "--replicas", "0",
                "--base-port", Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("up.err").toFile()).start();
        Await.until("the foreground up to report it runs", COMMAND_TIMEOUT, () -> {
            if (!up.isAlive()) {
                throw new AssertionError("up exited with " + up.exitValue() + ": " + Files.readString(dir.resolve("up.err")));
            }
            return Files.readString(out).contains("press Ctrl-C to stop");
        });
        return up;
    }
}
