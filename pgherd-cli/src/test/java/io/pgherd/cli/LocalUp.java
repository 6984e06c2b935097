package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.testkit.FreePorts;

/**
 * A cluster made by {@code pgherd up --detach} on free ports for one test class, and what the controller's
 * integration tests read of it: its DCS records, its leader, reads through its proxy, SQL on a member as the
 * superuser. The test class stops the cluster ({@code pgherd down}) and closes the DCS client ({@link #dcs}).
 */
final class LocalUp {
    final Path dir;
    final JsonNode status;
    final Dcs dcs;
    final ClusterStore cluster;
    final ControllerStore controllers;
    final Credentials credentials;
    final int proxyPort;

    private LocalUp(Path dir) throws Exception {
        this.dir = dir;
        this.status = JarCli.statusJson(dir);
        this.dcs = Dcs.connect(status.get("dcs").asText(), Duration.ofSeconds(5));
        this.cluster = new ClusterStore(dcs, status.get("cluster").asText());
        this.controllers = new ControllerStore(cluster);
        ClusterDirectory directory = new ClusterDirectory(dir);
        this.credentials = directory.cluster(directory.read(), Optional.empty()).credentials();
        this.proxyPort = directory.read().proxyPort();
    }

    /** Runs {@code pgherd up --dir DIR --detach} with free ports and {@code options} ({@code --replicas 1 …}). */
    static LocalUp start(Path dir, String... options) throws Exception {
        List<String> argv = new ArrayList<>(List.of("up", "--dir", dir.toString()));
        argv.addAll(List.of(options));
        argv.addAll(List.of("--base-port", Integer.toString(FreePorts.allocate()), "--proxy-port",
                Integer.toString(FreePorts.allocate()), "--metrics-port", Integer.toString(FreePorts.allocate()),
                "--zookeeper-port", Integer.toString(FreePorts.allocate()), "--api-port",
                Integer.toString(FreePorts.allocate()), "--detach"));
        JarCli.Result up = JarCli.pgherd(argv.toArray(String[]::new));
        assertThat(up.exit()).as(up.toString()).isZero();
        return new LocalUp(dir);
    }

    /**
     * A test class's teardown: stops {@code others} (processes the test started beside the cluster) and waits for them,
     * closes {@code dcs}, then runs {@code pgherd down} on {@code dir} when it holds a cluster and checks it exits 0 and
     * leaves no postmaster or other process running in {@code dir}. Any argument may be null (the class failed before
     * making it).
     */
    static void down(Path dir, Dcs dcs, List<Process> others) throws Exception {
        for (Process p : others) {
            p.destroy();
            p.waitFor();
        }
        if (dcs != null) {
            dcs.close();
        }
        if (dir != null && Files.exists(dir.resolve("pgherd.json"))) {
            List<Long> postmasters = new ArrayList<>(JarCli.postmasterPids(dir));
            JarCli.Result down = JarCli.pgherd("down", "--dir", dir.toString());
            assertThat(down.exit()).as(down.toString()).isZero();
            JarCli.assertNothingRunsIn(dir, postmasters);
        }
    }

    /** The leader's PostgreSQL port, as its member record says. */
    int leaderPort() {
        ClusterSnapshot snapshot = cluster.read();
        return snapshot.members().get(snapshot.leader().orElseThrow().member()).port();
    }

    /** The port of the server a read through the proxy ran on (a new connection each time: any replica may serve); -1 on an error. */
    int readPortThroughProxy() {
        try (Connection c = connect(proxyPort); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** The first column of the first row of the last result of {@code sql} on the server at {@code port}. */
    String query(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement()) {
            boolean result = s.execute(sql);
            while (!result && (s.getUpdateCount() != -1)) {
                result = s.getMoreResults();
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** A superuser connection to database postgres at 127.0.0.1:{@code port}. */
    Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.superuser());
        props.setProperty("password", credentials.superuserPassword());
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }
}
