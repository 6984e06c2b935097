package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.ControllerStore;
import io.pgherd.cluster.Member;
import io.pgherd.cluster.Task;
import io.pgherd.dcs.Dcs;
import io.pgherd.postgres.Credentials;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.Processes;
import io.pgherd.postgres.ServerUser;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.NetworkHosts;
import io.pgherd.testkit.NetworkHosts.Host;
import io.pgherd.testkit.TestDirectories;

/**
 * A cluster across hosts (issue 15's {@code spare} provisioner on more than one machine), each host a network
 * namespace of its own with its own address ({@link NetworkHosts}), every process started as a user would start it
 * there, from the configuration file a user would write: h1 runs etcd (on h1's address) and the agent of node1, which
 * initializes the cluster and leads; h2 runs a spare agent ({@code role: spare}); h3 the controller with the spare
 * provisioner; h4 the proxy; h5 is the client ({@code pgherd scale}, psql). Every host uses the same ports (5432,
 * 8008, …), as real machines do. Scaling to 1: the spare clones from node1 over the hosts' addresses, streams, and
 * the proxy sends reads to it — shown from the servers' side (node1's {@code pg_stat_replication.client_addr} is h2's
 * address; the spare's {@code pg_stat_activity.client_addr} for a read through the proxy is h4's). Scaling to 0
 * releases it: PostgreSQL stopped, its data wiped, no slot left on node1.
 *
 * <p>Loopback inside a namespace is that host's own: a member that published 127.0.0.1, or any connection that
 * crossed hosts over 127.0.0.1 (a clone, {@code primary_conninfo}, the proxy's backends, the controller's check of
 * the leader), would reach the wrong host, where nothing of the other member listens, and this test fails by itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossHostSpareIT {
    @RegisterExtension
    static final NetworkHosts HOSTS = NetworkHosts.of(5);

    private static final String CLUSTER = "crosshost";
    private static final int PG_PORT = 5432;
    private static final int API_PORT = 8008;
    private static final int ETCD_PORT = 2379;
    private static final int PROXY_PORT = 6432;
    /** Cloning, starting and catching up on a busy 2-core machine. */
    private static final Duration TASK = Duration.ofMinutes(2);
    /** A JVM's start and its first DCS round on a busy 2-core machine. */
    private static final Duration START = Duration.ofMinutes(2);

    private Path dir;
    private Host h1;
    private Host h2;
    private Host h3;
    private Host h4;
    private Host h5;
    private String dcsUrl;
    private Credentials credentials;
    private Dcs dcs;
    private ClusterStore cluster;
    private ControllerStore controllers;
    private Process spareAgent;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    void hostsWithEtcdAPrimaryASpareAControllerAndAProxy() throws Exception {
        dir = TestDirectories.create("CrossHostSpareIT");
        h1 = HOSTS.host(1);
        h2 = HOSTS.host(2);
        h3 = HOSTS.host(3);
        h4 = HOSTS.host(4);
        h5 = HOSTS.host(5);
        dcsUrl = "etcd://" + h1.address() + ":" + ETCD_PORT;
        // The credentials a user's tooling installs on every host: one pair of files, copied.
        Path shared = Files.createDirectories(dir.resolve("credentials"));
        credentials = Credentials.loadOrCreate(shared, LocalCluster.SUPERUSER, LocalCluster.REPLICATION_USER,
                ServerUser.detect());

        startEtcd();
        dcs = Dcs.connect(dcsUrl, Duration.ofSeconds(5));
        cluster = new ClusterStore(dcs, CLUSTER);
        controllers = new ControllerStore(cluster);

        processes.add(startAgent(h1, "node1", "standby"));
        Await.until("node1 initializes the cluster and leads", Duration.ofMinutes(2), () -> {
            Optional<Member> m = Optional.ofNullable(cluster.read().members().get("node1"));
            return cluster.read().leader().map(l -> l.member().equals("node1")).orElse(false)
                    && m.map(x -> x.running() && !x.inRecovery()).orElse(false);
        });
        spareAgent = startAgent(h2, "spare1", "spare");
        processes.add(spareAgent);
        Await.until("spare1 registers as a spare", Duration.ofMinutes(2), this::isIdleSpare);

        startProxy();
        startController();
        Await.until("the controller acts", START, () -> controllers.acting().equals(Optional.of("c1")));
        Await.until("a read through the proxy runs on node1", START,
                () -> readThroughProxy().map(r -> r.server().equals(h1.address())).orElse(false));
    }

    @AfterAll
    void down() throws Exception {
        // The controller and the proxy first, etcd last: each stops while what it talks to still runs.
        List<Process> stopping = new ArrayList<>(processes);
        Collections.reverse(stopping);
        for (Process p : stopping) {
            p.destroy();
            p.waitFor();
        }
        // An agent that stops leaves its PostgreSQL running, as on a real host: stopped here (fast shutdown).
        for (Path data : List.of(data("h1"), data("h2"))) {
            Path pid = data.resolve("postmaster.pid");
            if (Files.exists(pid)) {
                long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).strip());
                JarCli.run(List.of("kill", "-INT", Long.toString(postmaster)));
                Await.until("postmaster " + postmaster + " to exit", Duration.ofSeconds(30),
                        () -> !Processes.isRunning(postmaster));
            }
        }
        if (dcs != null) {
            dcs.close();
        }
        // NetworkHosts then stops etcd and anything else left inside the hosts, and removes them.
    }

    @Test
    @Order(1)
    void scaleOutAssignsTheSpareOnAnotherHostWhichClonesStreamsAndServesReadsOverTheHostsAddresses() throws Exception {
        scale(1);

        Task added = awaitTask("add_replica", 1);

        assertThat(added.state()).as(added.toString()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(added.parameters()).containsEntry("member", "spare1").containsEntry("provisioner", "spare");
        Member spare = cluster.read().members().get("spare1");
        assertThat(spare.role()).isEqualTo("replica");
        assertThat(spare.host()).isEqualTo(h2.address());
        assertThat(spare.port()).isEqualTo(PG_PORT);
        assertThat(spare.apiUrl()).isEqualTo("http://" + h2.address() + ":" + API_PORT);
        // From the primary's side: spare1 streams from h2's address.
        assertThat(query(h1, "SELECT state || ' ' || host(client_addr) FROM pg_stat_replication"
                + " WHERE application_name = 'spare1'")).isEqualTo("streaming " + h2.address());
        // From the spare's side: a read through the proxy ran on it, and its client was the proxy's host.
        ServerSide read = Await.success("a read through the proxy runs on spare1", Duration.ofSeconds(60),
                () -> readThroughProxy().filter(r -> r.server().equals(h2.address())).orElseThrow());
        assertThat(read.client()).isEqualTo(h4.address());
    }

    @Test
    @Order(2)
    void scaleInReleasesTheSpareWhichWipesItsDataAndWaitsAgain() throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(data("h2").resolve("postmaster.pid")).get(0).strip());

        scale(0);

        Await.until("the remove_replica task succeeds", TASK, () -> tasks("remove_replica").stream()
                .anyMatch(t -> t.state() == Task.State.SUCCEEDED));
        Await.until("spare1 is an idle spare again", Duration.ofSeconds(60), this::isIdleSpare);
        assertThat(Processes.isRunning(postmaster)).as("spare1's postmaster").isFalse();
        assertThat(data("h2")).as("spare1's data directory").doesNotExist();
        assertThat(spareAgent.isAlive()).as("spare1's agent").isTrue();
        assertThat(cluster.assignments().get("spare1").role()).isEqualTo(Assignment.Role.SPARE);
        Await.until("no replication slot of spare1 on node1", Duration.ofSeconds(30),
                () -> query(h1, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'spare1'").equals("0"));
        assertThat(query(h1, "SELECT count(*)::text FROM pg_stat_replication")).isEqualTo("0");
        Await.until("reads through the proxy run on node1 again", Duration.ofSeconds(60),
                () -> readThroughProxy().map(r -> r.server().equals(h1.address())).orElse(false));
    }

    /** etcd on h1, listening on h1's address only. */
    private void startEtcd() throws Exception {
        Path etcd = dir.resolve("hosts/h1/etcd");
        String client = "http://" + h1.address() + ":" + ETCD_PORT;
        String peer = "http://" + h1.address() + ":2380";
        processes.add(HOSTS.start(h1, List.of("/usr/bin/etcd", "--name", "e1", "--data-dir", etcd.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "e1=" + peer, "--logger", "zap",
                "--log-outputs", "stderr"), mkdirs(etcd).resolve("etcd.log")));
        Await.until("etcd on h1 is healthy", Duration.ofSeconds(30), () -> HOSTS.run(h5, List.of("python3", "-c",
                "import urllib.request,sys; sys.exit(0 if b'true' in urllib.request.urlopen('" + client
                        + "/health', timeout=2).read() else 1)"), Duration.ofSeconds(10)).exitCode() == 0);
    }

    /**
     * The agent of {@code name} on {@code host}, started with {@code pgherd agent --config} and the file a user writes
     * there: PostgreSQL and the API listen on the host's address, published as its connect addresses; the hosts'
     * network may stream, log in as the superuser (members) and as any role (the proxy, clients).
     */
    private Process startAgent(Host host, String name, String role) throws Exception {
        Path home = mkdirs(dir.resolve("hosts").resolve(host.name()));
        Path creds = copyCredentials(home);
        Path config = home.resolve(name + ".yml");
        Files.writeString(config, String.join("\n", "agent:",
                "  cluster: " + CLUSTER,
                "  name: " + name,
                "  dcs: " + dcsUrl,
                "  role: " + role,
                "  postgres:",
                "    dir: " + home.resolve("pg"),
                "    port: " + PG_PORT,
                "    listen: [" + host.address() + "]",
                "    connect_address: " + host.address() + ":" + PG_PORT,
                "    credentials_dir: " + creds,
                "    allow:",
                "      members: [" + HOSTS.cidr() + "]",
                "      clients: [" + HOSTS.cidr() + "]",
                "  api:",
                "    listen: 0.0.0.0:" + API_PORT,
                "    connect_address: " + host.address() + ":" + API_PORT, ""));
        return HOSTS.start(host, List.of("java", "-jar", JarCli.JAR.toString(), "agent", "--config", config.toString()),
                home.resolve(name + ".log"));
    }

    /** The controller on h3: no cluster directory, the superuser's password file only. */
    private void startController() throws Exception {
        Path home = mkdirs(dir.resolve("hosts/h3"));
        Path creds = copyCredentials(home);
        Path config = home.resolve("controller.yml");
        Files.writeString(config, String.join("\n", "controller:",
                "  cluster: " + CLUSTER,
                "  name: c1",
                "  dcs: " + dcsUrl,
                "  ttl: 6s",
                "  loop_wait: 500ms",
                "  dcs_timeout: 2s",
                "  provisioner: spare",
                "  superuser_password_file: " + creds.resolve(Credentials.SUPERUSER_PASSWORD_FILE),
                "  stream_timeout: 2m",
                "  drain_timeout: 1m",
                "  retry_after: 10m", ""));
        processes.add(HOSTS.start(h3, List.of("java", "-jar", JarCli.JAR.toString(), "controller", "--config",
                config.toString()), home.resolve("c1.log")));
    }

    /** The proxy on h4, listening on h4's address, following the cluster in the DCS; node1 is its first node. */
    private void startProxy() throws Exception {
        Path home = mkdirs(dir.resolve("hosts/h4"));
        Path creds = copyCredentials(home);
        String secret = query(h1, "SELECT rolpassword FROM pg_authid WHERE rolname = '" + credentials.superuser() + "'");
        Path auth = home.resolve("userlist.txt");
        Files.writeString(auth, "\"" + credentials.superuser() + "\" \"" + secret + "\"\n");
        Path config = home.resolve("proxy.yml");
        Files.writeString(config, String.join("\n", "proxy:",
                "  listen: " + h4.address() + ":" + PROXY_PORT,
                "  nodes:",
                "    - {name: node1, host: " + h1.address() + ", port: " + PG_PORT + ", role: primary}",
                "  admin_users: [" + credentials.superuser() + "]",
                "  auth:",
                "    file: " + auth,
                "    user: " + credentials.superuser(),
                "    password_file: " + creds.resolve(Credentials.SUPERUSER_PASSWORD_FILE),
                "  cluster:",
                "    dcs: " + dcsUrl,
                "    name: " + CLUSTER,
                "    proxy_name: p1", ""));
        processes.add(HOSTS.start(h4, List.of("java", "-jar", JarCli.JAR.toString(), "proxy", "--config", config.toString()),
                home.resolve("p1.log")));
    }

    /** {@code pgherd scale} run on the client host h5 against the DCS on h1. */
    private void scale(int replicas) {
        // A long DCS timeout: on a loaded machine a new JVM's first etcd round may take more than the default 5 s.
        ExternalCommand.Outcome scale = HOSTS.run(h5, List.of("java", "-jar", JarCli.JAR.toString(), "scale", "--dcs", dcsUrl,
                "--dcs-timeout", "30", "--cluster", CLUSTER, "--replicas", Integer.toString(replicas)), JarCli.COMMAND_TIMEOUT);
        assertThat(scale.exitCode()).as(scale.toString()).isZero();
    }

    /** Where a read through the proxy ran and who its client was there, as that server says. */
    record ServerSide(String server, String client) {
    }

    /**
     * A read through the proxy, by psql on the client host h5 (a new connection each time: any replica may serve): the
     * server's own address and its {@code pg_stat_activity.client_addr} for the session; empty on an error.
     */
    private Optional<ServerSide> readThroughProxy() {
        ExternalCommand.Outcome read;
        try {
            read = ExternalCommand.run(h5.command(List.of("psql", "-X", "-At", "-F", " ", "-h", h4.address(), "-p",
                    Integer.toString(PROXY_PORT), "-U", credentials.superuser(), "-d", "postgres", "-c",
                    "SELECT host(inet_server_addr()), host(client_addr) FROM pg_stat_activity WHERE pid = pg_backend_pid()")),
                    Map.of("PGPASSWORD", credentials.superuserPassword(), "PGCONNECT_TIMEOUT", "5"), Duration.ofSeconds(15));
        } catch (AssertionError e) {
            // The proxy held the read (no server to run it on yet): no answer this time.
            return Optional.empty();
        }
        String[] fields = read.stdout().strip().split(" ");
        return read.exitCode() == 0 && fields.length == 2 ? Optional.of(new ServerSide(fields[0], fields[1]))
                : Optional.empty();
    }

    /** The first column of the first row of {@code sql} on {@code host}'s PostgreSQL, from the test's own JVM. */
    private String query(Host host, String sql) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.superuser());
        props.setProperty("password", credentials.superuserPassword());
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host.address() + ":" + PG_PORT + "/postgres",
                props); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Path copyCredentials(Path home) throws Exception {
        Path creds = mkdirs(home.resolve("credentials"));
        for (String file : List.of(Credentials.SUPERUSER_PASSWORD_FILE, Credentials.REPLICATION_PASSFILE)) {
            Files.copy(dir.resolve("credentials").resolve(file), creds.resolve(file), StandardCopyOption.COPY_ATTRIBUTES,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return creds;
    }

    private static Path mkdirs(Path path) throws Exception {
        return Files.createDirectories(path);
    }

    private Path data(String host) {
        return dir.resolve("hosts").resolve(host).resolve("pg/data");
    }

    private boolean isIdleSpare() {
        Member m = cluster.read().members().get("spare1");
        return m != null && m.role().equals("spare") && !m.running();
    }

    private List<Task> tasks(String type) {
        return controllers.tasks().stream().map(ControllerStore.TaskEntry::task).filter(t -> t.type().equals(type)).toList();
    }

    /** The newest task of {@code type} once there are {@code count} and all ended. */
    private Task awaitTask(String type, int count) {
        Await.until(count + " " + type + " to end", TASK, () -> tasks(type).size() == count
                && tasks(type).stream().allMatch(Task::finished));
        return tasks(type).stream().max((a, b) -> Long.compare(a.createdMillis(), b.createdMillis())).orElseThrow();
    }
}
