package io.pgherd.cli;

import static io.pgherd.cli.JarCli.assertNothingRunsIn;
import static io.pgherd.cli.JarCli.pgherd;
import static io.pgherd.cli.JarCli.postmasterPids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;
import io.pgherd.controller.replicas.AddReplica;
import io.pgherd.controller.replicas.Drains;
import io.pgherd.controller.replicas.ReplicaContext;
import io.pgherd.controller.replicas.ReplicaStep;
import io.pgherd.controller.replicas.ReplicaTask;
import io.pgherd.controller.replicas.StepFailure;
import io.pgherd.controller.replicas.StepResult;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.Processes;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/**
 * The local provisioner on a running {@code pgherd up --detach} cluster (node1 primary, node2 standby, real
 * processes): the steps of {@code add_replica}, each run twice, make node3 a read replica streaming from the
 * leader through its own agent process; rolled back (twice), no process, data directory, agent file or
 * record of it is left, and up's own nodes are untouched; one left running is stopped by {@code pgherd down}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalProvisionerIT {
    private Path dir;
    private ClusterDirectory directory;
    private LocalProvisioner provisioner;
    private LocalReplicaCluster cluster;
    private Dcs dcs;
    private int rangeFrom;

    @BeforeAll
    void up() throws Exception {
        dir = TestDirectories.create("LocalProvisionerIT");
        JarCli.Result up = pgherd("up", "--dir", dir.toString(), "--replicas", "0", "--base-port",
                Integer.toString(FreePorts.allocate()), "--proxy-port", Integer.toString(FreePorts.allocate()),
                "--metrics-port", Integer.toString(FreePorts.allocate()), "--zookeeper-port",
                Integer.toString(FreePorts.allocate()), "--api-port", Integer.toString(FreePorts.allocate()), "--detach");
        assertThat(up.exit()).as(up.toString()).isZero();
        directory = new ClusterDirectory(dir);
        List<Integer> range = FreePorts.allocate(4);
        rangeFrom = range.stream().min(Integer::compare).orElseThrow();
        // Its agents run from the built jar, as up's do (this JVM runs from compiled classes).
        provisioner = new LocalProvisioner(directory, rangeFrom, rangeFrom + 40, Optional.of(JarCli.JAR.toString()));
        dcs = Dcs.connect(DcsAddress.parse(directory.read().dcs()), Duration.ofSeconds(5));
        cluster = new LocalReplicaCluster(directory, dcs);
    }

    /** {@code pgherd down} stops the members the provisioner made and left running too; released after. */
    @AfterAll
    void down() throws Exception {
        if (dir == null) {
            return;
        }
        if (dcs != null) {
            dcs.close();
        }
        List<String> left = provisioner.list();
        List<Long> processes = new ArrayList<>(postmasterPids(dir));
        JarCli.Result down = pgherd("down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.toString()).isZero();
        assertNothingRunsIn(dir, processes);
        for (String name : left) {
            assertThat(down.stdout()).contains(", " + name);
            provisioner.release(name);
        }
        assertThat(left).as("members left to down").containsExactly("node4");
    }

    @Test
    @Order(1)
    void addsAStreamingReadReplicaThenReleasesItWithoutATrace() throws Exception {
        String leader = cluster.snapshot().leader().orElseThrow().member();
        ReplicaContext context = context("node3");

        for (ReplicaStep step : AddReplica.steps()) {
            // Provisioning and starting are done at once; the wait is done once node3 streams.
            StepResult first = step.run(context("node3"));
            if (step.name().equals("wait_streaming")) {
                Await.until("node3 to stream within the lag limit", Duration.ofSeconds(180),
                        () -> step.run(context("node3")) instanceof StepResult.Done);
                first = step.run(context("node3"));
            }
            assertThat(first).as(step.name()).isInstanceOf(StepResult.Done.class);
            // Run again, as a controller that took over before this step was recorded done does.
            assertThat(step.run(context("node3"))).as(step.name() + " run again").isEqualTo(first);
        }

        assertThat(provisioner.list()).containsExactly("node3");
        Member node3 = cluster.snapshot().members().get("node3");
        assertThat(node3.noFailover()).isTrue();
        assertThat(node3.port()).isBetween(rangeFrom, rangeFrom + 40);
        assertThat(Files.isDirectory(dir.resolve("node3").resolve("data"))).isTrue();
        assertThat(query(leader, "SELECT state FROM pg_stat_replication WHERE application_name = 'node3'"))
                .isEqualTo("streaming");
        assertThat(query("node3", "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
        long node3Postmaster = Long.parseLong(Files.readAllLines(dir.resolve("node3/data/postmaster.pid")).get(0).strip());
        long node3Agent = Long.parseLong(Files.readString(dir.resolve("agents/node3.pid")).strip());
        assertThat(provisioner.provision("node3", "").port()).as("provisioned again: the same port").isEqualTo(node3.port());

        for (int twice = 0; twice < 2; twice++) {
            List<ReplicaStep> steps = AddReplica.steps();
            for (int i = steps.size() - 1; i >= 0; i--) {
                steps.get(i).undo(context);
            }
        }

        assertThat(Processes.isRunning(node3Postmaster)).as("node3's postmaster").isFalse();
        assertThat(Processes.isRunning(node3Agent)).as("node3's agent").isFalse();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(dir.resolve("node3").toString())
                        || c.contains(dir.resolve("agents/node3.yml").toString())).toList()).isEmpty();
        assertThat(dir.resolve("node3")).doesNotExist();
        assertThat(dir.resolve("agents/node3.yml")).doesNotExist();
        assertThat(dir.resolve("agents/node3.pid")).doesNotExist();
        assertThat(dir.resolve("agents/node3.log")).doesNotExist();
        assertThat(provisioner.list()).isEmpty();
        assertThat(query(leader, "SELECT count(*)::text FROM pg_stat_replication WHERE application_name = 'node3'"))
                .isEqualTo("0");
        assertThat(query(leader, "SELECT count(*)::text FROM pg_stat_replication")).isEqualTo("1");
    }

    @Test
    @Order(2)
    void neverProvisionsNorReleasesANodeOfUp() {
        assertThatThrownBy(() -> provisioner.provision("node2", "")).isInstanceOf(StepFailure.class)
                .hasMessage("node2 is a node of 'pgherd up' in " + dir + ", not one to provision");
        assertThatThrownBy(() -> provisioner.release("node1")).isInstanceOf(StepFailure.class)
                .hasMessage("node1 is a node of 'pgherd up' in " + dir + ": the local provisioner releases only members"
                        + " it made");
        assertThat(cluster.snapshot().members()).containsKeys("node1", "node2");
    }

    @Test
    @Order(3)
    void aFullPortRangeFailsTheStepSayingSo() {
        LocalProvisioner one = new LocalProvisioner(directory, rangeFrom + 45, rangeFrom + 45);

        assertThatThrownBy(() -> one.provision("node9", "")).isInstanceOf(StepFailure.class)
                .hasMessage("no two free ports left in the local provisioner's range " + (rangeFrom + 45) + ".."
                        + (rangeFrom + 45) + " for node9");
        assertThat(one.list()).isEmpty();
        assertThatThrownBy(() -> new LocalProvisioner(directory, 2000, 1999)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the port range must be within 1024..65535, first <= last (got 2000..1999)");
    }

    @Test
    @Order(4)
    void aMemberLeftRunningIsStoppedByDown() {
        provisioner.provision("node4", "node2");
        provisioner.start("node4");
        Await.until("node4 to stream within the lag limit", Duration.ofSeconds(180),
                () -> waitStreaming().run(context("node4")) instanceof StepResult.Done);

        assertThat(provisioner.list()).containsExactly("node4");
    }

    private static ReplicaStep waitStreaming() {
        return AddReplica.steps().stream().filter(s -> s.name().equals("wait_streaming")).findFirst().orElseThrow();
    }

    /** A context whose step started now: the waiting step never times out in the test's own wait. */
    private ReplicaContext context(String member) {
        long now = System.currentTimeMillis();
        return new ReplicaContext("it", Map.of(ReplicaTask.MEMBER, member, ReplicaContext.CLONE_FROM, "node2"), now, now,
                provisioner, cluster, new NoDrains(), new ReplicaContext.Limits(16 << 20, 600_000, 600_000));
    }

    /** The value of the first column of {@code sql}'s first row, on {@code member} as the superuser. */
    private String query(String member, String sql) throws Exception {
        ClusterSnapshot snapshot = cluster.snapshot();
        Member m = snapshot.members().get(member);
        Credentials credentials = directory.cluster(directory.read(), Optional.empty()).credentials();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + m.port() + "/postgres",
                credentials.superuser(), credentials.superuserPassword());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Adding a replica drains nothing; its readiness mark (an assignment record) is not what this test looks at. */
    private static final class NoDrains implements Drains {
        @Override
        public void announce(String member, String cloneFrom) {
            // The assignment's readiness is AddReplicaTest's and ReplicaReadyIT's.
        }

        @Override
        public void ready(String member) {
            // As above.
        }

        @Override
        public void mark(String member, boolean draining) {
            throw new AssertionError("add_replica marked " + member);
        }

        @Override
        public void forget(String member) {
            // A rolled-back add_replica forgets the readiness mark.
        }

        @Override
        public List<ProxyReads> reads(String member) {
            throw new AssertionError("add_replica asked for the reads on " + member);
        }
    }
}
