package io.pgherd.proxy.pooling;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.postgresql.PGConnection;

import io.pgherd.proxy.ProxyFixture;

/** Small JDBC helpers for the pooling tests: one value, all rows, the admin console. */
final class Sql {
    private Sql() {
    }

    /** The first column of the first row of {@code sql}, as text (null for SQL NULL or no row). */
    static String value(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The backend process id of the server connection that runs the next statement. */
    static int backendPid(Connection c) throws SQLException {
        return Integer.parseInt(value(c, "select pg_backend_pid()"));
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Every row of {@code sql} as column name to text value (none for a command without rows). */
    static List<Map<String, String>> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return List.of();
            }
            ResultSet rs = s.getResultSet();
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

    /** A connection to the admin console (database pgherd) as the superuser, which is an admin user. */
    static Connection admin(ProxyFixture proxy) throws SQLException {
        Properties props = new Properties();
        props.setProperty("preferQueryMode", "simple");
        return proxy.connect("postgres", proxy.superuserPassword(), "pgherd", props);
    }

    /** Runs one admin command on a fresh console connection. */
    static List<Map<String, String>> admin(ProxyFixture proxy, String command) throws SQLException {
        try (Connection c = admin(proxy)) {
            return rows(c, command);
        }
    }

    /** The id the proxy gave this client (its BackendKeyData process id), as SHOW CLIENTS shows it. */
    static String clientId(Connection c) throws SQLException {
        return Integer.toString(c.unwrap(PGConnection.class).getBackendPID());
    }

    /** The value of a SHOW STATS counter, 0 when absent. */
    static long stat(ProxyFixture proxy, String name) throws SQLException {
        for (Map<String, String> row : admin(proxy, "SHOW STATS")) {
            if (row.get("stat").equals(name)) {
                return Long.parseLong(row.get("value"));
            }
        }
        return 0;
    }
}
