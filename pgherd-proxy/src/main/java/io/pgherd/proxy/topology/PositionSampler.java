package io.pgherd.proxy.topology;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out primary WAL positions read after each request: a session that saw its write commit, or
 * that starts a strongly consistent read, asks, and gets a position at or after everything
 * committed before it asked. Requests that arrive while a read is under way share the next one, so
 * the primary sees one query per round trip however many sessions ask. Runs on its own thread with
 * one kept-open connection.
 */
final class PositionSampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PositionSampler.class);

    private final Topology topology;
    private final Supplier<NodeConnector> connector;
    private final List<LongConsumer> waiting = new ArrayList<>();
    private Connection connection;
    private boolean closed;

    PositionSampler(Topology topology, Supplier<NodeConnector> connector) {
        this.topology = topology;
        this.connector = connector;
    }

    /**
     * Asks for a position; {@code then} runs on the sampler's thread with it, or with -1 when the
     * primary could not be asked (the caller then treats the read as needing the primary).
     */
    void request(LongConsumer then) {
        synchronized (this) {
            if (!closed) {
                waiting.add(then);
                notifyAll();
                return;
            }
        }
        then.accept(-1);
    }

    @Override
    public void run() {
        while (true) {
            List<LongConsumer> batch;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                batch = new ArrayList<>(waiting);
                waiting.clear();
                if (closed && batch.isEmpty()) {
                    closeConnection();
                    return;
                }
            }
            long position = sample();
            for (LongConsumer c : batch) {
                try {
                    c.accept(position);
                } catch (RuntimeException e) {
                    log.warn("a WAL position callback failed: {}", e.toString());
                }
            }
        }
    }

    private long sample() {
        NodeState primary = topology.primary();
        try {
            if (connection == null || connection.isClosed()) {
                connection = connector.get().connect(primary.node(), "postgres", "WAL positions");
            }
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                long position = Lsn.parse(rs.getString(1));
                primary.observed(position);
                return position;
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("could not read the primary's WAL position from {}: {}", primary.node(), e.getMessage());
            closeConnection();
            return -1;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
