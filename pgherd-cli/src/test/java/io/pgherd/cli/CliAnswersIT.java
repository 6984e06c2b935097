package io.pgherd.cli;

import static io.pgherd.cli.JarCli.JAR;
import static io.pgherd.cli.JarCli.pgherd;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * How the command line answers, run as the user runs it (the jar as a process): what a typo
 * suggests, the question a switchover asks on a terminal (a real pseudo-terminal from
 * {@code script}), what {@code down} says of a stopped cluster, and the JVM options {@code up}
 * gives the processes it starts.
 */
class CliAnswersIT {
    private static final long LEADER_POSITION = 80_000_000;

    @Test
    void aMistypedCommandSuggestsTheCommandMeant() throws Exception {
        JarCli.Result lsit = pgherd("lsit");

        assertThat(lsit.exit()).as(lsit.toString()).isEqualTo(2);
        assertThat(lsit.stderr().strip()).as(lsit.toString())
                .isEqualTo("pgherd: unknown command 'lsit' (did you mean 'list'?); 'pgherd --help' lists the commands");
        JarCli.Result option = pgherd("status", "--dri", "/tmp/nowhere");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.stderr().strip()).as(option.toString()).isEqualTo("pgherd: unknown option '--dri' for"
                + " 'pgherd status' (did you mean '--dir'?); 'pgherd status --help' lists the options");
    }

    @Test
    void theSwitchoverQuestionNamesTheLeaderAndTheCandidate() throws Exception {
        try (EmbeddedZooKeeper zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("CliAnswersIT-zk"),
                FreePorts.allocate(), Duration.ofMillis(500));
             Dcs dcs = Dcs.connect("zookeeper://127.0.0.1:" + zooKeeper.port(), Duration.ofSeconds(3));
             Session session = dcs.openSession(Duration.ofSeconds(10))) {
            // As agents would publish it: n1 leads, n2 and n5 stream from it, n2 further along.
            ClusterStore store = new ClusterStore(dcs, "prompt");
            assertThat(store.takeLeader("n1", session)).isPresent();
            store.publish(member("n1", false, LEADER_POSITION), session);
            store.publish(member("n2", true, LEADER_POSITION - 100), session);
            store.publish(member("n5", true, LEADER_POSITION - 5000), session);
            store.publishPosition(LEADER_POSITION);
            String dcsUrl = "zookeeper://127.0.0.1:" + zooKeeper.port();

            JarCli.Result best = onTerminal("n\n", "switchover", "--dcs", dcsUrl, "--cluster", "prompt");
            JarCli.Result named = onTerminal("n\n", "switchover", "--candidate", "n5", "--dcs", dcsUrl, "--cluster", "prompt");
            JarCli.Result failover = onTerminal("no\n", "failover", "--candidate", "n5", "--dcs", dcsUrl, "--cluster", "prompt");

            assertThat(best.stdout()).as(best.toString()).contains("Switch over from n1 to n2 (the best candidate now)? [y/N]",
                    "pgherd: switchover not confirmed; nothing was written");
            assertThat(best.exit()).isEqualTo(1);
            assertThat(named.stdout()).as(named.toString()).contains("Switch over from n1 to n5? [y/N]");
            assertThat(failover.stdout()).as(failover.toString()).contains("Fail over from n1 to n5? [y/N]",
                    "pgherd: failover not confirmed; nothing was written");
            assertThat(dcs.get(store.keys().failover())).isEmpty();
        }
    }

    @Test
    void upGivesEachProcessItsJvmOptionsAndDownOfAStoppedClusterSaysSo() throws Exception {
        Path dir = TestDirectories.create("CliAnswersIT-up");
        // The agents' options from the environment, as a user overrides them; the others' defaults.
        Map<String, String> environment = Map.of(JvmOptions.Kind.AGENT.variable(), "-XX:+UseSerialGC  -Xmx72m -XX:TieredStopAtLevel=1");
        JarCli.Result up = pgherd(environment, "up", "--dir", dir.toString(), "--replicas", "0", "--detach", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()));
        try {
            assertThat(up.exit()).as(up.toString()).isZero();
            JsonNode status = JarCli.statusJson(dir);
            for (JsonNode node : status.get("nodes")) {
                assertThat(commandLine(node.get("agent").get("pid").asLong())).as("the agent of " + node.get("name"))
                        .containsSubsequence("-XX:+UseSerialGC", "-Xmx72m", "-cp", JAR.toString(), Main.class.getName(), "agent")
                        .doesNotContain("-Xmx64m");
            }
            assertThat(commandLine(pid(dir.resolve("zookeeper.pid"))))
                    .containsSubsequence(JvmOptions.of(JvmOptions.Kind.ZOOKEEPER)).contains("zookeeper");
            assertThat(commandLine(pid(dir.resolve("proxy.pid"))))
                    .containsSubsequence(JvmOptions.of(JvmOptions.Kind.PROXY)).contains("proxy");
            List<Long> postmasters = JarCli.postmasterPids(dir);

            JarCli.Result down = pgherd("down", "--dir", dir.toString());
            assertThat(down.exit()).as(down.toString()).isZero();
            JarCli.assertNothingRunsIn(dir, postmasters);
            JarCli.Result again = pgherd("down", "--dir", dir.toString());

            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.stdout().strip()).isEqualTo("pgherd: the cluster in " + dir + " is not running; nothing to stop");
        } finally {
            pgherd("down", "--dir", dir.toString());
        }
    }

    /** A command of the jar run on a pseudo-terminal ({@code script}), with {@code input} typed on it; its output includes the terminal's. */
    private static JarCli.Result onTerminal(String input, String... args) throws Exception {
        StringBuilder command = new StringBuilder("exec java -jar '" + JAR + "'");
        for (String arg : args) {
            command.append(" '").append(arg).append('\'');
        }
        return JarCli.run(List.of("script", "-qec", command.toString(), "/dev/null"), Map.of(), input);
    }

    private static List<String> commandLine(long pid) throws Exception {
        return List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
    }

    private static long pid(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static Member member(String name, boolean inRecovery, long position) {
        return new Member(name, "standby", inRecovery ? "streaming" : "running", "127.0.0.1", 5430 + name.charAt(1) - '0',
                "http://127.0.0.1:800" + name.charAt(1), true, inRecovery, 2, position, position, false, 1,
                inRecovery ? "n1" : "");
    }
}
