package io.pgherd.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * JDBC connections through the proxy that watch what its clients see while the primary changes:
 * idle connections that must still work afterwards, a writer (autocommit INSERTs) and a reader
 * (plain SELECTs outside a transaction, which the proxy sends to a replica), each looping on its
 * own connection, which it keeps after an error, and recording when each statement ended and how.
 */
final class WitnessClients implements AutoCloseable {
    /** A statement every 10 ms: enough to time gaps to about that, without loading the 2-core machine. */
    private static final long PACE_NANOS = Duration.ofMillis(10).toNanos();

    /** One statement's end (epoch ms) and its failure (SQLSTATE and message; null when it succeeded). */
    record Outcome(long atMillis, String error) {
    }

    private final String url;
    private final Properties properties;
    private final List<Connection> idle = new ArrayList<>();
    private final Connection writerConnection;
    private final Connection readerConnection;
    private final ConcurrentLinkedQueue<Outcome> writes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Outcome> reads = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> readFrom = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> loops = new ArrayList<>();

    /** Opens {@code idleCount} idle connections, the writer's and the reader's, to {@code host:port}. */
    WitnessClients(String host, int port, String password, int idleCount) throws SQLException {
        url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        // Longer than proxy.cluster.hold_timeout (30 s): a held statement ends with the proxy's answer, not ours.
        properties.setProperty("socketTimeout", "45");
        for (int i = 0; i < idleCount; i++) {
            idle.add(DriverManager.getConnection(url, properties));
        }
        writerConnection = DriverManager.getConnection(url, properties);
        readerConnection = DriverManager.getConnection(url, properties);
        try (Statement s = writerConnection.createStatement()) {
            s.execute("create table if not exists proxy_witness (id bigserial primary key, src text, at timestamptz default now())");
        }
    }

    /** Starts the writer and reader loops (their outcomes so far are forgotten). */
    void start() {
        writes.clear();
        reads.clear();
        readFrom.clear();
        running.set(true);
        loops.add(loop("witness-writer", writerConnection, writes, s -> s.executeUpdate(
                "insert into proxy_witness (src) values ('writer')")));
        loops.add(loop("witness-reader", readerConnection, reads, s -> {
            try (ResultSet rs = s.executeQuery("select pg_is_in_recovery(), inet_server_port()")) {
                rs.next();
                readFrom.add((rs.getBoolean(1) ? "replica:" : "primary:") + rs.getInt(2));
            }
        }));
    }

    /** Stops the loops and waits for them. */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : loops) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop within 60 s");
            }
        }
        loops.clear();
    }

    List<Outcome> writes() {
        return List.copyOf(writes);
    }

    List<Outcome> reads() {
        return List.copyOf(reads);
    }

    /** Where the reads ran: "replica:PORT" or "primary:PORT" per successful read. */
    List<String> readFrom() {
        return List.copyOf(readFrom);
    }

    static List<Outcome> failures(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> o.error() != null).toList();
    }

    /**
     * The longest stretch without a success (ms from {@code millis} to its start and to its end): the
     * time a fault at {@code millis} left the client without writes or reads.
     */
    record Gap(long fromMillis, long toMillis) {
        long millis() {
            return toMillis - fromMillis;
        }
    }

    static Gap longestGap(List<Outcome> outcomes, long millis) {
        Gap gap = new Gap(0, 0);
        long last = outcomes.isEmpty() ? millis : outcomes.get(0).atMillis();
        for (Outcome o : outcomes) {
            if (o.error() == null) {
                if (o.atMillis() - last > gap.millis()) {
                    gap = new Gap(last - millis, o.atMillis() - millis);
                }
                last = o.atMillis();
            }
        }
        return gap;
    }

    /** Successes ended at or after {@code millis}. */
    static long successesSince(List<Outcome> outcomes, long millis) {
        return outcomes.stream().filter(o -> o.error() == null && o.atMillis() >= millis).count();
    }

    /** The longest time (ms) between two consecutive successes, or from the first outcome to the first success. */
    static long longestGapMillis(List<Outcome> outcomes) {
        return longestGap(outcomes, 0).millis();
    }

    /**
     * Checks that every connection is still open and works, on the same connection: on each idle one a
     * read and a write; on the writer's and reader's a read.
     *
     * @return what did not work, empty when everything did
     */
    List<String> problemsOnEveryConnection() {
        List<String> problems = new ArrayList<>();
        List<Connection> all = new ArrayList<>(idle);
        all.add(writerConnection);
        all.add(readerConnection);
        for (int i = 0; i < all.size(); i++) {
            Connection c = all.get(i);
            try (Statement s = c.createStatement()) {
                if (c.isClosed()) {
                    problems.add("connection " + i + " is closed");
                    continue;
                }
                try (ResultSet rs = s.executeQuery("select 1")) {
                    rs.next();
                }
                if (i < idle.size()) {
                    s.executeUpdate("insert into proxy_witness (src) values ('idle " + i + "')");
                }
            } catch (SQLException e) {
                problems.add("connection " + i + ": " + e.getSQLState() + " " + e.getMessage());
            }
        }
        return problems;
    }

    private interface Work {
        void run(Statement s) throws SQLException;
    }

    private Thread loop(String name, Connection connection, ConcurrentLinkedQueue<Outcome> outcomes, Work work) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                try (Statement s = connection.createStatement()) {
                    work.run(s);
                    outcomes.add(new Outcome(System.currentTimeMillis(), null));
                } catch (SQLException e) {
                    outcomes.add(new Outcome(System.currentTimeMillis(), e.getSQLState() + " " + e.getMessage()));
                }
                LockSupport.parkNanos(PACE_NANOS);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() throws Exception {
        stop();
        for (Connection c : idle) {
            c.close();
        }
        writerConnection.close();
        readerConnection.close();
    }
}
