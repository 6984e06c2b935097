package io.pgherd.cli;

import static io.pgherd.cli.JarCli.pgherd;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Spec;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code pgherd scale} and what {@code pgherd list} shows of read replicas, run as the user runs them (the jar as a
 * process) against a real ZooKeeper whose records the test writes as agents and a controller would: the desired
 * count set with compare-and-set, each refusal one {@code pgherd:} line with nothing changed, spares and draining
 * members listed with the desired and running counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleIT {
    private static final String CLUSTER = "scale";
    private EmbeddedZooKeeper zooKeeper;
    private Dcs dcs;
    private Session agents;
    private ClusterStore store;
    private String dcsUrl;

    @BeforeAll
    void start() {
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("ScaleIT-zk"), FreePorts.allocate(), Duration.ofMillis(500));
        dcsUrl = "zookeeper://127.0.0.1:" + zooKeeper.port();
        dcs = Dcs.connect(dcsUrl, Duration.ofSeconds(3));
        agents = dcs.openSession(Duration.ofSeconds(30));
        store = new ClusterStore(dcs, CLUSTER);
        assertThat(store.takeLeader("n1", agents)).isPresent();
        store.publish(member("n1", "standby", true, false, false), agents);
        store.publish(member("n2", "standby", true, false, false), agents);
        store.publish(member("r1", "replica", true, true, false), agents);
        store.publish(member("r2", "replica", true, true, true), agents);
        store.publish(member("s1", "spare", false, true, false), agents);
        store.publish(member("s2", "spare", false, true, false), agents);
    }

    @AfterAll
    void stop() {
        if (dcs != null) {
            agents.close();
            dcs.close();
        }
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    @Test
    void scaleSetsTheDesiredCountAndListShowsItWithSparesAndDraining() throws Exception {
        JarCli.Result none = scale("list");
        assertThat(none.stdout()).as(none.toString())
                .contains("read replicas: 2 running, no desired count set ('pgherd scale --replicas N'); spares: s1, s2;"
                        + " draining: r2");

        JarCli.Result three = scale("scale", "--replicas", "3");
        assertThat(three.exit()).as(three.toString()).isZero();
        assertThat(three.stdout().strip()).isEqualTo("desired read replicas: 3; the controller adds or removes read replicas"
                + " to match");
        assertThat(store.readSpec().spec()).contains(new Spec(Spec.FORMAT, 3, null));

        JarCli.Result again = scale("scale", "--replicas", "3");
        assertThat(again.stdout().strip()).as(again.toString()).isEqualTo("desired read replicas already 3; nothing changed");
        long revision = store.readSpec().revision();

        JarCli.Result two = scale("scale", "--replicas", "2");
        assertThat(two.stdout().strip()).as(two.toString()).isEqualTo("desired read replicas: 2 (was 3); the controller adds"
                + " or removes read replicas to match");
        assertThat(store.readSpec().revision()).isGreaterThan(revision);

        store.putAssignment(Assignment.of("r1", Assignment.Role.REPLICA, true, "t-9", 4));
        JarCli.Result list = scale("list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains("read replicas: 2 running, 2 desired; spares: s1, s2; draining: r1, r2");
        assertThat(list.stdout().lines().filter(l -> l.startsWith("s1 ")).findFirst().orElseThrow())
                .as("a spare's row").contains(" spare ");
        assertThat(list.stdout().lines().filter(l -> l.startsWith("r2 ")).findFirst().orElseThrow())
                .as("a draining member's row").contains("streaming, draining");

        JsonNode json = new ObjectMapper().readTree(scale("list", "--json").stdout());
        assertThat(json.path("read_replicas").path("desired").asInt()).isEqualTo(2);
        assertThat(json.path("read_replicas").path("spares").toString()).isEqualTo("[\"s1\",\"s2\"]");
        assertThat(json.path("read_replicas").path("draining").toString()).isEqualTo("[\"r1\",\"r2\"]");
        assertThat(json.path("read_replicas").path("running").toString()).isEqualTo("[\"r1\",\"r2\"]");
        store.deleteAssignment("r1");
    }

    @Test
    void badCountsAndAScaleTaskUnderWayAreRefusedWithOneLineAndNothingChanged() throws Exception {
        assertThat(scale("scale", "--replicas", "1").exit()).isZero();
        long revision = store.readSpec().revision();

        for (String bad : List.of("-1", Integer.toString(ScaleCommand.MAX_READ_REPLICAS + 1))) {
            JarCli.Result r = scale("scale", "--replicas", bad);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr().strip().lines()).as(r.toString()).containsExactly("pgherd: --replicas must be 0 to "
                    + ScaleCommand.MAX_READ_REPLICAS + " (got " + bad + "); nothing was changed; see 'pgherd scale --help'");
        }
        assertThat(store.readSpec().revision()).as("nothing written").isEqualTo(revision);

        for (String state : List.of("pending", "running")) {
            dcs.put(store.keys().task("t-1"), "{\"format\":1,\"id\":\"t-1\",\"type\":\"add_replica\",\"state\":\"" + state + "\"}");
            JarCli.Result r = scale("scale", "--replicas", "4");
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr().strip().lines()).as(r.toString()).containsExactly("pgherd: a task changing the read replicas is "
                    + state + " (add_replica t-1): wait until it ends ('pgherd tasks') and scale again; nothing was changed");
            assertThat(store.readSpec().revision()).as("nothing written").isEqualTo(revision);
        }
        dcs.put(store.keys().task("t-1"), "{\"format\":1,\"id\":\"t-1\",\"type\":\"add_replica\",\"state\":\"succeeded\"}");
        dcs.put(store.keys().task("t-2"), "{\"format\":1,\"id\":\"t-2\",\"type\":\"backup\",\"state\":\"running\"}");
        JarCli.Result done = scale("scale", "--replicas", "4");
        assertThat(done.exit()).as("a finished scale task, or a task of another type, does not stop it: " + done).isZero();
        assertThat(store.readSpec().spec().orElseThrow().readReplicas()).isEqualTo(4);
        dcs.delete(store.keys().task("t-1"));
        dcs.delete(store.keys().task("t-2"));
    }

    private JarCli.Result scale(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(args));
        argv.addAll(List.of("--dcs", dcsUrl, "--cluster", CLUSTER));
        return pgherd(argv.toArray(String[]::new));
    }

    private static Member member(String name, String role, boolean running, boolean noFailover, boolean draining) {
        return new Member(name, role, !running ? "stopped" : name.equals("n1") ? "running" : "streaming", "127.0.0.1",
                5430 + Math.abs(name.hashCode() % 50), "http://127.0.0.1:8008", running, running && !name.equals("n1"), 2, 100,
                100, noFailover, 1, running && !name.equals("n1") ? "n1" : "", false, List.of(), false, false, draining);
    }
}
