package io.pgherd.dcs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, standalone ZooKeeper server inside this JVM, listening on the loopback interface only:
 * the DCS of local mode ({@code pgherd up}) and of tests. Its data (snapshots and transaction log)
 * lives in a directory of the caller's, so a server stopped and started again on the same port and
 * directory keeps its keys, and the sessions it knew expire after their timeout unless their
 * clients come back.
 *
 * <p>Session timeouts that clients may ask for range from 2 ticks to
 * {@value #MAX_SESSION_TIMEOUT_MILLIS} ms. Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    /** Longer than any sensible leader TTL; ZooKeeper's own default would be 20 ticks. */
    static final int MAX_SESSION_TIMEOUT_MILLIS = 120_000;

    private final Path dataDirectory;
    private final int tickMillis;
    private int port;
    private ZooKeeperServer server;
    private ServerCnxnFactory connections;

    private EmbeddedZooKeeper(Path dataDirectory, int port, Duration tick) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.tickMillis = Math.toIntExact(tick.toMillis());
    }

    /**
     * Starts a server.
     *
     * @param dataDirectory where snapshots and the transaction log go; created if missing
     * @param port          loopback port to listen on, or 0 for a free one (then kept across restarts)
     * @param tick          ZooKeeper's tick: session expiry is checked every tick and the
     *                      shortest session timeout is two ticks (2000 ms is ZooKeeper's default)
     * @throws UncheckedIOException if the directory or the port cannot be used
     */
    public static EmbeddedZooKeeper start(Path dataDirectory, int port, Duration tick) {
        if (tick.toMillis() < 1 || port < 0 || port > 65535) {
            throw new IllegalArgumentException("embedded zookeeper: tick must be >= 1 ms and port in 0..65535 (got "
                    + tick.toMillis() + " ms, port " + port + ")");
        }
        EmbeddedZooKeeper zooKeeper = new EmbeddedZooKeeper(dataDirectory, port, tick);
        zooKeeper.start();
        return zooKeeper;
    }

    /**
     * Starts the server again after {@link #stop()}, on the same port and data directory. Does
     * nothing if it runs.
     */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Path snapshots = Files.createDirectories(dataDirectory.resolve("snapshots"));
            Path transactions = Files.createDirectories(dataDirectory.resolve("transactions"));
            ZooKeeperServer newServer = new ZooKeeperServer(new FileTxnSnapLog(transactions.toFile(), snapshots.toFile()), tickMillis, "");
            newServer.setMinSessionTimeout(2 * tickMillis);
            newServer.setMaxSessionTimeout(Math.max(MAX_SESSION_TIMEOUT_MILLIS, 2 * tickMillis));
            ServerCnxnFactory newConnections = ServerCnxnFactory.createFactory();
            newConnections.configure(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            try {
                newConnections.startup(newServer);
            } catch (IOException | RuntimeException e) {
                newConnections.shutdown();
                newServer.shutdown();
                throw e;
            }
            server = newServer;
            connections = newConnections;
            port = newConnections.getLocalPort();
            log.info("embedded zookeeper 127.0.0.1:{}: started (data {})", port, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded zookeeper: cannot start on 127.0.0.1:" + port + " with data in " + dataDirectory, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("embedded zookeeper: interrupted while starting on 127.0.0.1:" + port, e);
        }
    }

    /**
     * Stops the server as a crash would look to clients: connections are closed, sessions are not
     * ended (they expire after a restart unless their clients come back). The data stays. Does
     * nothing if it is stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        connections.shutdown();
        server.shutdown();
        try {
            connections.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
        connections = null;
        log.info("embedded zookeeper 127.0.0.1:{}: stopped", port);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /** The loopback port, chosen at the first start when 0 was asked. */
    public synchronized int port() {
        return port;
    }

    /** Where clients connect: {@code zookeeper://127.0.0.1:<port>}. */
    public DcsAddress address() {
        return new DcsAddress(DcsAddress.Backend.ZOOKEEPER, List.of(InetSocketAddress.createUnresolved("127.0.0.1", port())));
    }

    @Override
    public String toString() {
        return "embedded zookeeper 127.0.0.1:" + port() + (isRunning() ? "" : " (stopped)");
    }
}
