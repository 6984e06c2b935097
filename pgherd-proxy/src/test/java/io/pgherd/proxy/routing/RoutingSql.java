package io.pgherd.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgherd.proxy.ProxyFixture;

/**
 * JDBC helpers for the routing tests: connections through a proxy as the superuser to database
 * postgres, statements whose every result is read, and the admin console's answers as maps.
 */
final class RoutingSql {
    private RoutingSql() {
    }

    /** A connection through the proxy whose reads give up after a minute, so a lost answer fails instead of hanging. */
    static Connection connect(ProxyFixture fixture, String... settings) throws SQLException {
        return fixture.connect("postgres", fixture.superuserPassword(), "postgres", properties(settings));
    }

    /** As {@link #connect}, to another port of the proxy (a fixed-target one). */
    static Connection connectPort(ProxyFixture fixture, int port) throws SQLException {
        Properties props = properties("user", "postgres", "password", fixture.superuserPassword(), "sslmode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    private static Properties properties(String... settings) {
        Properties props = new Properties();
        props.setProperty("socketTimeout", "60");
        for (int i = 0; i < settings.length; i += 2) {
            props.setProperty(settings[i], settings[i + 1]);
        }
        return props;
    }

    /** Runs {@code sql} and reads every result it gives. */
    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            boolean isResultSet = s.execute(sql);
            while (isResultSet || s.getUpdateCount() != -1) {
                if (isResultSet) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
                isResultSet = s.getMoreResults();
            }
        }
    }

    /** Runs {@code sql} directly on node {@code name} of the cluster. */
    static void onNode(io.pgherd.postgres.LocalCluster cluster, String name, String sql) throws SQLException {
        try (Connection c = cluster.connect(cluster.node(name))) {
            execute(c, sql);
        }
    }

    /** Waits until {@code name} has replayed everything the primary had written when this was called. */
    static void awaitReplayed(io.pgherd.postgres.LocalCluster cluster, String name) throws SQLException {
        String position;
        try (Connection primary = cluster.connect(cluster.primary())) {
            position = value(primary, "select pg_current_wal_lsn()::text");
        }
        try (Connection c = cluster.connect(cluster.node(name))) {
            io.pgherd.testkit.Await.until(name + " to replay up to " + position, java.time.Duration.ofSeconds(30),
                    () -> value(c, "select pg_last_wal_replay_lsn() >= '" + position + "'::pg_lsn").equals("t"));
        }
    }

    /** The first column of the first row of {@code sql}, as text (null for no row). */
    static String value(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<Map<String, String>> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return List.of();
            }
            try (ResultSet rs = s.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, String>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), rs.getString(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    /** Runs one command in the admin console (database pgherd) of {@code fixture}. */
    static List<Map<String, String>> admin(ProxyFixture fixture, String command) throws SQLException {
        try (Connection c = fixture.connect("postgres", fixture.superuserPassword(), "pgherd",
                properties("preferQueryMode", "simple"))) {
            return rows(c, command);
        }
    }

    /** EXPLAIN ROUTE {@code sql} in the admin console: target, reason, detail, explanation. */
    static Map<String, String> explainRoute(ProxyFixture fixture, String sql) throws SQLException {
        List<Map<String, String>> answer = admin(fixture, "EXPLAIN ROUTE " + sql);
        assertThat(answer).as("EXPLAIN ROUTE %s", sql).hasSize(1);
        return answer.get(0);
    }

    /** SHOW ROUTING's count for one target and reason (0 when it is not listed). */
    static long routed(ProxyFixture fixture, String target, String reason) throws SQLException {
        return admin(fixture, "SHOW ROUTING").stream().filter(r -> r.get("target").equals(target) && r.get("reason").equals(reason))
                .mapToLong(r -> Long.parseLong(r.get("count"))).sum();
    }

    /** SHOW NODES by node name. */
    static Map<String, Map<String, String>> nodes(ProxyFixture fixture) throws SQLException {
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        admin(fixture, "SHOW NODES").forEach(row -> byName.put(row.get("node"), row));
        return byName;
    }
}
