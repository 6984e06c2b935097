package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real etcd server ({@code /usr/bin/etcd}, Debian's {@code etcd-server}) on free loopback ports
 * with its data in a directory of the caller's. It can be killed and started again on the same
 * ports and data, and its log read when a test fails.
 */
public final class EtcdServer implements AutoCloseable {

    private static final Path BINARY = Path.of(System.getProperty("pgherd.etcd", "/usr/bin/etcd"));
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);

    private final Path dataDirectory;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;

    private EtcdServer(Path directory) {
        this.dataDirectory = directory.resolve("data");
        this.logFile = directory.resolve("etcd.log");
        List<Integer> ports = FreePorts.allocate(2);
        this.clientPort = ports.get(0);
        this.peerPort = ports.get(1);
    }

    /** Starts etcd with its data and log under {@code directory} and waits until it is healthy. */
    public static EtcdServer start(Path directory) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " not found: install Debian's etcd-server (apt-get install etcd-server)");
        }
        EtcdServer server = new EtcdServer(directory);
        server.start();
        return server;
    }

    /** Starts etcd again after {@link #kill()}, on the same ports and data; waits until healthy. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        String peerUrl = "http://127.0.0.1:" + peerPort;
        String clientUrl = "http://127.0.0.1:" + clientPort;
        List<String> command = List.of(BINARY.toString(),
                "--name", "pgherd-test",
                "--data-dir", dataDirectory.toString(),
                "--listen-client-urls", clientUrl,
                "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "pgherd-test=" + peerUrl,
                "--logger", "zap",
                "--log-outputs", "stderr");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("etcd 127.0.0.1:" + clientPort + ": cannot start " + command, e);
        }
        awaitHealthy();
    }

    /** Kills etcd with SIGKILL, as a crash, and waits until it is gone. The data stays. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd pid " + process.pid() + " still runs 10 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        kill();
    }

    /** Its client address as a DCS URL: {@code etcd://127.0.0.1:<port>}. */
    public String url() {
        return "etcd://127.0.0.1:" + clientPort;
    }

    /** The last lines of etcd's log, for failure reports. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    private void awaitHealthy() {
        long start = System.nanoTime();
        long end = start + START_DEADLINE.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        String last = "no answer";
        while (System.nanoTime() - end < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd 127.0.0.1:" + clientPort + " exited with " + process.exitValue()
                        + " while starting; log:\n" + logTail(40));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        kill();
        throw new IllegalStateException("etcd 127.0.0.1:" + clientPort + " not healthy within " + START_DEADLINE.toSeconds()
                + " s (last: " + last + "); log:\n" + logTail(40));
    }

    @Override
    public String toString() {
        return "etcd 127.0.0.1:" + clientPort;
    }
}
