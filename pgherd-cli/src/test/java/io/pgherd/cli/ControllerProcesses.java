package io.pgherd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pgherd.dcs.Dcs;
import io.pgherd.testkit.EtcdServer;
import io.pgherd.testkit.TestDirectories;

/**
 * {@code pgherd controller} processes of the built jar on a real etcd, for a test class: etcd and a DCS client started
 * once ({@link #start}), controllers started per test ({@link #controller}) with a short TTL and loop, each logging to
 * {@code DIR/NAME.log}; {@link #killAll()} after each test, {@link #close()} after the class.
 */
final class ControllerProcesses implements AutoCloseable {
    private final EtcdServer etcd;
    private final Path dir;
    private final Dcs dcs;
    private final Duration ttl;
    private final List<Process> processes = new ArrayList<>();

    private ControllerProcesses(EtcdServer etcd, Path dir, Dcs dcs, Duration ttl) {
        this.etcd = etcd;
        this.dir = dir;
        this.dcs = dcs;
        this.ttl = ttl;
    }

    /** Starts etcd and connects to it; {@code name} names the test's directories. */
    static ControllerProcesses start(String name, Duration ttl) {
        Path dir = TestDirectories.create(name);
        EtcdServer etcd = EtcdServer.start(TestDirectories.create(name + "-etcd"));
        return new ControllerProcesses(etcd, dir, Dcs.connect(etcd.url(), Duration.ofSeconds(3)), ttl);
    }

    EtcdServer etcd() {
        return etcd;
    }

    Path dir() {
        return dir;
    }

    Dcs dcs() {
        return dcs;
    }

    /** Starts {@code pgherd controller} named {@code name} of {@code cluster}; killed by {@link #killAll()}. */
    Process controller(String cluster, String name) throws IOException {
        Path config = dir.resolve(cluster + "-" + name + ".yml");
        Files.writeString(config, "controller:\n  cluster: " + cluster + "\n  name: " + name + "\n  dcs: " + etcd.url()
                + "\n  ttl: " + ttl.toSeconds() + "s\n  loop_wait: 300ms\n  dcs_timeout: 1s\n");
        return killedAfterTest(new ProcessBuilder("java", "-jar", JarCli.JAR.toString(), "controller", "--config",
                config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    /** Another process of the test, killed by {@link #killAll()}. */
    Process killedAfterTest(Process process) {
        processes.add(process);
        return process;
    }

    /** What controller {@code name} has logged so far. */
    String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    void killAll() {
        processes.forEach(Process::destroyForcibly);
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
        dcs.close();
        etcd.kill();
    }
}
