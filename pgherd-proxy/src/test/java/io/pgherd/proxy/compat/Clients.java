package io.pgherd.proxy.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.Await;
import io.pgherd.testkit.ExternalCommand;

/** What the client-compatibility tests share: python scripts, libpq environments, waiting for a query to run. */
final class Clients {
    /** Debian's python, which has python3-psycopg2; a pyenv python on the PATH would not. */
    static final String PYTHON = "/usr/bin/python3";

    private Clients() {
    }

    /** node-postgres and its siblings, installed by {@code npm ci} in this folder (.ci/run does it). */
    static final Path NODE_MODULES = Path.of("src/test/node/node_modules").toAbsolutePath();

    /** Fails with the fix when psycopg2 is missing (CI installs it through .ci/run). */
    static void requirePsycopg2() {
        requirePython("psycopg2", "python3-psycopg2");
    }

    /** Fails with the fix when python module {@code module} (Debian package {@code debianPackage}) is missing. */
    static void requirePython(String module, String debianPackage) {
        ExternalCommand.Outcome check = ExternalCommand.run(List.of(PYTHON, "-c", "import " + module), Map.of(),
                Duration.ofSeconds(20));
        if (check.exitCode() != 0) {
            throw new AssertionError(module + " is missing for " + PYTHON + ": apt-get install -y " + debianPackage
                    + " (.ci/run installs it)\n" + check);
        }
    }

    /** Fails with the fix when node-postgres is not installed under {@link #NODE_MODULES}. */
    static void requireNodePostgres() {
        if (!Files.isDirectory(NODE_MODULES.resolve("pg"))) {
            throw new AssertionError("node-postgres is missing: npm ci --prefix pgherd-proxy/src/test/node"
                    + " (.ci/run does it)");
        }
    }

    /**
     * Runs a node script that reaches the proxy through the URI in {@code $PGHERD_DSN} (node-postgres
     * is {@code require("pg")}) and prints {@code key=value} lines; fails unless it exits 0, else
     * returns the values printed.
     */
    static Map<String, String> node(ProxyFixture proxy, String name, String script) {
        requireNodePostgres();
        return run(proxy, name + ".js", script, List.of("node"), Map.of("NODE_PATH", NODE_MODULES.toString()));
    }

    /**
     * Runs a python script that reaches the proxy through the URI in {@code $PGHERD_DSN} and prints
     * {@code key=value} lines; fails unless it exits 0, else returns the values printed.
     */
    static Map<String, String> python(ProxyFixture proxy, String name, String script) {
        return run(proxy, name + ".py", script, List.of(PYTHON), Map.of());
    }

    /** The URI of the cluster's primary, bypassing the proxy. */
    private static String directDsn(ProxyFixture proxy) {
        return "postgresql://postgres:" + proxy.superuserPassword() + "@127.0.0.1:"
                + proxy.cluster().primary().port() + "/postgres?sslmode=disable&connect_timeout=10";
    }

    private static Map<String, String> run(ProxyFixture proxy, String fileName, String script, List<String> interpreter,
            Map<String, String> extraEnv) {
        String dsn = proxy.uri("postgres", proxy.superuserPassword(), "postgres") + "?sslmode=disable&connect_timeout=10";
        return run(proxy, dsn, fileName, script, interpreter, extraEnv);
    }

    /** Runs {@code script} with {@code $PGHERD_DSN} set to {@code dsn}; the values it printed as key=value lines. */
    private static Map<String, String> run(ProxyFixture proxy, String dsn, String fileName, String script,
            List<String> interpreter, Map<String, String> extraEnv) {
        Path file = proxy.dir().resolve(fileName);
        try {
            Files.writeString(file, script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(interpreter);
        command.add(file.toString());
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("PGHERD_DSN", dsn);
        ExternalCommand.Outcome outcome = ExternalCommand.run(command, env, Duration.ofSeconds(90)).requireSuccess();
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : outcome.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /**
     * As {@link #python(ProxyFixture, String, String)}, but the script reaches the cluster's primary
     * directly (the same script run both ways shows what a client would see without the proxy).
     */
    static Map<String, String> pythonDirect(ProxyFixture proxy, String name, String script) {
        return run(proxy, directDsn(proxy), name + ".direct.py", script, List.of(PYTHON), Map.of());
    }

    /** As {@link #node(ProxyFixture, String, String)}, but the script reaches the cluster's primary directly. */
    static Map<String, String> nodeDirect(ProxyFixture proxy, String name, String script) {
        requireNodePostgres();
        return run(proxy, directDsn(proxy), name + ".direct.js", script, List.of("node"),
                Map.of("NODE_PATH", NODE_MODULES.toString()));
    }

    /** The fixture's libpq environment with some variables replaced. */
    static Map<String, String> libpqEnv(ProxyFixture proxy, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(proxy.libpqEnv("postgres"));
        env.putAll(overrides);
        return env;
    }

    /** Waits until the primary runs exactly {@code sql} (as seen in pg_stat_activity), at most 20 s. */
    static void awaitRunning(LocalCluster cluster, String sql) {
        Await.until("the primary to be running: " + sql, Duration.ofSeconds(20), () -> {
            try (Connection c = cluster.connect(cluster.primary());
                 PreparedStatement s = c.prepareStatement(
                         "select count(*) from pg_stat_activity where state = 'active' and query = ?")) {
                s.setString(1, sql);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            }
        });
    }

    /** One number from a query run on the primary directly, not through the proxy. */
    static long queryDirect(LocalCluster cluster, String sql) throws SQLException {
        try (Connection c = cluster.connect(cluster.primary()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
