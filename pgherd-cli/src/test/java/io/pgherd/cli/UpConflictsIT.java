package io.pgherd.cli;

import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static io.pgherd.cli.JarCli.psql;
import static io.pgherd.cli.JarCli.statusJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * What {@code pgherd up} refuses, at once and saying why, instead of starting half a cluster: a port
 * that is taken (asked for on the command line, or recorded by a cluster started again), and a cluster
 * name another cluster already holds in the same DCS. One etcd and one two-node cluster ({@code a}, named
 * {@code pgherd}) serve every test; each test leaves {@code a} running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpConflictsIT {
    /** How long a fresh 'pgherd list' may take to see a change (a JVM start and a DCS connection on a busy machine). */
    private static final Duration LISTED = Duration.ofMinutes(3);
    private EtcdServer etcd;
    private Path a;
    private final List<Path> dirs = new ArrayList<>();

    @BeforeAll
    void startEtcdAndAClusterInIt() throws Exception {
        etcd = EtcdServer.start(TestDirectories.create("UpConflictsIT-etcd"));
        a = up("UpConflictsIT-a", "--dcs", etcd.url(), "--cluster", "pgherd");
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Path dir : dirs) {
            if (Files.exists(dir.resolve("pgherd.json"))) {
                pgherd("down", "--dir", dir.toString());
            }
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void anExplicitProxyPortThatIsTakenIsRefusedNamingItsHolderAndNothingStarts() throws Exception {
        Path dir = directory("UpConflictsIT-taken-proxy-port");
        try (ServerSocket squatter = listen(FreePorts.allocate())) {
            int port = squatter.getLocalPort();
            JarCli.Result up = pgherd("up", "--dir", dir.toString(), "--replicas", "0", "--base-port",
                    Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(port), "--detach");
            assertThat(up.exit()).as(up.toString()).isEqualTo(1);
            assertThat(up.stderr()).startsWith("pgherd: cannot start: port " + port + " (--proxy-port, the clients of proxy1)"
                    + " is in use by pid " + ProcessHandle.current().pid() + " (").contains("java");
            assertThat(up.stderr().lines()).hasSize(1);
        }
        assertThat(dir.resolve("pgherd.json")).as("nothing recorded").doesNotExist();
        assertNothingRunsIn(dir, List.of());
    }

    @Test
    void aRestartWhoseProxyPortIsTakenExitsNonZeroBeforeStartingAnything() throws Exception {
        JsonNode status = statusJson(a);
        int proxyPort = status.get("proxy").get("port").asInt();
        List<Long> postmasters = postmasterPids(a);
        down(a);
        try (ServerSocket squatter = listen(proxyPort)) {
            JarCli.Result up = pgherd("up", "--dir", a.toString(), "--detach");
            assertThat(up.exit()).as(up.toString()).isEqualTo(1);
            assertThat(up.stderr()).startsWith("pgherd: cannot start: port " + proxyPort + " (the clients of proxy1) is in"
                    + " use by pid " + ProcessHandle.current().pid() + " (");
            assertNothingRunsIn(a, postmasters);
        }
        JarCli.Result up = pgherd("up", "--dir", a.toString(), "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
        assertThat(statusJson(a).get("proxy").get("running").asBoolean()).isTrue();
    }

    @Test
    void aNodeMovedToAnotherPortRunsThereAndTheDcsAndTheProxyFollow() throws Exception {
        int moved = FreePorts.allocate();
        JarCli.Result running = pgherd("up", "--dir", a.toString(), "--node-port", "node2=" + moved, "--detach");
        assertThat(running.exit()).as("refused while node2 runs: " + running).isEqualTo(1);
        assertThat(running.stderr()).contains("node2 runs: stop the cluster first");

        down(a);
        JarCli.Result up = pgherd("up", "--dir", a.toString(), "--node-port", "node2=" + moved, "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
        assertThat(up.stdout()).contains("moving node2 from port ").contains(" to " + moved);

        JsonNode status = statusJson(a);
        JsonNode node2 = status.get("nodes").get(1);
        assertThat(node2.get("name").asText()).isEqualTo("node2");
        assertThat(node2.get("port").asInt()).isEqualTo(moved);
        assertThat(psql(node2.get("uri").asText(), "select inet_server_port()")).isEqualTo(Integer.toString(moved));
        Await.until("node2's member record in the DCS to advertise port " + moved, LISTED,
                () -> listed(a).matches("(?s).*node2 +127\\.0\\.0\\.1:" + moved + " .*"));
        // The standby takes the proxy's reads.
        String proxyUri = status.get("proxy").get("uri").asText();
        Await.until("a read through the proxy on node2's new port", Duration.ofSeconds(30),
                () -> psql(proxyUri, "select inet_server_port()").equals(Integer.toString(moved)));
    }

    @Test
    void aSecondClusterOfTheSameNameInTheDcsIsRefusedAtOnceByUpAndByItsAgents() throws Exception {
        Path b = directory("UpConflictsIT-b");
        long began = System.nanoTime();
        JarCli.Result same = pgherd("up", "--dir", b.toString(), "--replicas", "0", "--dcs", etcd.url(), "--detach");
        long tookMillis = Await.millisSince(began);
        assertThat(same.exit()).as(same.toString()).isEqualTo(1);
        assertThat(same.stderr()).startsWith("pgherd: the DCS " + etcd.url() + " already holds a cluster named pgherd"
                + " (initialized by node1, system identifier ").contains("--cluster NAME");
        System.out.printf("UpConflictsIT: a second cluster named pgherd refused after %d ms%n", tookMillis);
        assertThat(b.resolve("pgherd.json")).doesNotExist();
        assertNothingRunsIn(b, List.of());

        // Under its own name it runs beside the first.
        JarCli.Result other = pgherd("up", "--dir", b.toString(), "--replicas", "0", "--dcs", etcd.url(), "--cluster", "other",
                "--detach");
        assertThat(other.exit()).as(other.toString()).isZero();
        assertThat(other.stdout()).as("up returns once node1 leads and node2 streams from it").contains("node1    primary");
        List<Long> postmasters = postmasterPids(b);
        down(b);
        assertNothingRunsIn(b, postmasters);

        // Its agent, told to join "pgherd" with this data, stops at once and writes nothing into the DCS.
        String aNode1 = "127.0.0.1:" + statusJson(a).get("nodes").get(0).get("port").asInt();
        Await.until("a's node1 listed on " + aNode1, LISTED,
                () -> listed(a).matches("(?s).*node1 +" + aNode1 + " .*"));
        Path config = b.resolve("agents/node1.yml");
        Path intruder = b.resolve("agents/intruder.yml");
        Files.writeString(intruder, Files.readString(config).replace("cluster: other", "cluster: pgherd"));
        JarCli.Result agent = pgherd("agent", "--config", intruder.toString());
        assertThat(agent.exit()).as(agent.toString()).isEqualTo(AgentCommand.REFUSED);
        assertThat(agent.stdout() + agent.stderr()).contains("does not belong to the cluster named pgherd in the DCS",
                "refusing to join it");
        assertNothingRunsIn(b, List.of());
        Await.until("a's node1 still listed on " + aNode1, LISTED,
                () -> listed(a).matches("(?s).*node1 +" + aNode1 + " .*"));

        // So does 'up' of that directory once it names the same cluster.
        Path state = b.resolve("pgherd.json");
        Files.writeString(state, Files.readString(state).replace("\"other\"", "\"pgherd\""));
        JarCli.Result renamed = pgherd("up", "--dir", b.toString(), "--detach");
        assertThat(renamed.exit()).as(renamed.toString()).isEqualTo(1);
        assertThat(renamed.stderr()).contains("already holds a cluster named pgherd", "another cluster took the name");
        assertNothingRunsIn(b, List.of());
        Files.writeString(state, Files.readString(state).replace("\"pgherd\"", "\"other\""));
    }

    private Path directory(String prefix) {
        Path dir = TestDirectories.create(prefix);
        dirs.add(dir);
        return dir;
    }

    private Path up(String prefix, String... extra) throws Exception {
        Path dir = directory(prefix);
        List<String> argv = new ArrayList<>(List.of("up", "--dir", dir.toString(), "--replicas", "0", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()),
                "--detach"));
        argv.addAll(List.of(extra));
        JarCli.Result up = pgherd(argv.toArray(String[]::new));
        assertThat(up.exit()).as(up.toString()).isZero();
        return dir;
    }

    /** What {@code pgherd list} prints of the cluster in {@code dir} (empty when the DCS did not answer in time). */
    private static String listed(Path dir) throws Exception {
        JarCli.Result list = pgherd("list", "--dir", dir.toString());
        return list.exit() == 0 ? list.stdout() : "";
    }

    private static void down(Path dir) throws Exception {
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        for (long pid : postmasterPids(dir)) {
            Await.until("postmaster " + pid + " to exit", Duration.ofSeconds(30), () -> !Processes.isRunning(pid));
        }
    }

    /** A listener of this JVM on {@code port}, as any other program could hold it. */
    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }
}
