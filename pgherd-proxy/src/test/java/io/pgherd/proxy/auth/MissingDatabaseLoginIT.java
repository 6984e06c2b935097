package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.ClientMessageScan;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TestDirectories;

/**
 * A client naming a database that does not exist, as {@code psql postgresql://app:secret@proxy/}
 * does (the database defaults to the user's name): the proxy authenticates it first, running
 * auth_query in {@code proxy.auth.dbname} rather than the client's database, and then reports the
 * missing database as PostgreSQL does (FATAL, 3D000); a wrong password still hears only 28P01. An
 * auth_query that cannot run says so with the server's SQLSTATE. No message names a Java class.
 */
@PostgresCluster(standby = false, replicas = 0)
class MissingDatabaseLoginIT {
    static LocalCluster cluster;
    static ProxyFixture proxy;
    static Path authUserPassword;

    @BeforeAll
    static void start(LocalCluster c) throws SQLException, IOException {
        cluster = c;
        try (Connection direct = cluster.connect(cluster.primary()); Statement s = direct.createStatement()) {
            s.execute("create role app login password 'secret'");
            s.execute("create role filed login password 'filed secret'");
            // auth_query's own database, where alone its lookup function exists.
            s.execute("create database authdb");
        }
        try (Connection direct = cluster.primary().connect(cluster.credentials().superuser(),
                cluster.credentials().superuserPassword(), "authdb"); Statement s = direct.createStatement()) {
            s.execute("create schema pgherd_auth");
            s.execute("create function pgherd_auth.lookup(name text, out rolname text, out rolpassword text) returns record"
                    + " language sql security definer as"
                    + " 'select rolname::text, rolpassword from pg_catalog.pg_authid where rolname = name and rolcanlogin'");
        }
        authUserPassword = TestDirectories.create("MissingDatabaseLoginIT").resolve("auth_user.password");
        Files.writeString(authUserPassword, cluster.credentials().superuserPassword() + "\n");
        proxy = ProxyFixture.start(cluster, authYaml(null, null));
        reconfigure(null, null);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The proxy's auth section: the auth file, and auth_query as the superuser in {@code dbname} with {@code query}. */
    private static String authYaml(String dbname, String query) {
        String auth = "  auth:\n    file: " + (proxy == null ? "/dev/null" : proxy.authFile().toString()) + "\n    user: postgres\n"
                + "    password_file: " + authUserPassword + "\n";
        if (dbname != null) {
            auth += "    dbname: " + dbname + "\n";
        }
        if (query != null) {
            auth += "    query: \"" + query + "\"\n";
        }
        return auth;
    }

    /** auth_query in {@code dbname} with {@code query} (null: the defaults); the auth file lists "filed", not "app". */
    private static void reconfigure(String dbname, String query) {
        proxy.writeConfig(authYaml(dbname, query));
        try {
            Files.write(proxy.authFile(), Files.readAllLines(proxy.authFile()).stream()
                    .filter(l -> !l.startsWith("\"app\"")).toList());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        proxy.proxy().reload();
    }

    @Test
    void anAuthQueryUserNamingAMissingDatabaseHearsWhatPostgresqlWouldSay() {
        assertMissingDatabase("app", "secret");
    }

    @Test
    void anAuthFileUserNamingAMissingDatabaseHearsWhatPostgresqlWouldSay() {
        assertMissingDatabase("filed", "filed secret");
    }

    @Test
    void psqlWithTheDatabaseDefaultingToTheUserNameGetsPostgresqlsMessage() {
        ExternalCommand.Outcome psql = ExternalCommand.run(List.of("psql", "-X", "-c", "select 1",
                "postgresql://app:secret@127.0.0.1:" + proxy.port() + "/?sslmode=disable"), Map.of(), Duration.ofSeconds(30));
        assertThat(psql.exitCode()).as(psql.toString()).isEqualTo(2);
        assertThat(psql.stderr()).contains("FATAL:  database \"app\" does not exist")
                .doesNotContain("pgherd: could not look up").doesNotContainPattern(ClientMessageScan.JAVA_NAMES);
    }

    @Test
    void aWrongPasswordForAMissingDatabaseIsOnlyAFailedAuthentication() {
        // Nothing about the database before the client proved who it is.
        assertThatThrownBy(() -> proxy.connect("app", "wrong", "app", new Properties()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28P01");
                    assertThat(e.getMessage()).contains("password authentication failed for user \"app\"").doesNotContain("app\" does not exist");
                });
        assertThatThrownBy(() -> proxy.connect("nobody", "x", "nobody", new Properties()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void authQueryRunsInItsOwnDatabaseWhateverTheClientAsksFor() throws SQLException {
        reconfigure("authdb", "SELECT rolname, rolpassword FROM pgherd_auth.lookup($1)");
        try (Connection c = proxy.connect("app", "secret", "postgres", new Properties()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_user, current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("app");
            assertThat(rs.getString(2)).isEqualTo("postgres");
        } finally {
            reconfigure(null, null);
        }
    }

    @Test
    void anAuthQueryThatCannotRunSaysWhyWithTheServersSqlstate() {
        reconfigure("no_such_authdb", null);
        try {
            assertThatThrownBy(() -> proxy.connect("app", "secret", "postgres", new Properties()).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("3D000");
                        assertThat(e.getMessage()).contains("FATAL: pgherd: could not look up user \"app\": auth_query as \"postgres\""
                                + " in database \"no_such_authdb\" on " + cluster.primary().name()
                                + " failed: database \"no_such_authdb\" does not exist")
                                .doesNotContainPattern(ClientMessageScan.JAVA_NAMES);
                    });
        } finally {
            reconfigure(null, null);
        }
        Path wrong = authUserPassword.resolveSibling("wrong.password");
        try {
            Files.writeString(wrong, "not the password\n");
            proxy.writeConfig(authYaml(null, null).replace(authUserPassword.toString(), wrong.toString()));
            Files.write(proxy.authFile(), Files.readAllLines(proxy.authFile()).stream().filter(l -> !l.startsWith("\"app\"")).toList());
            proxy.proxy().reload();
            assertThatThrownBy(() -> proxy.connect("app", "secret", "postgres", new Properties()).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("28P01");
                        assertThat(e.getMessage()).contains("pgherd: could not look up user \"app\": auth_query as \"postgres\"")
                                .contains("password authentication failed for user \"postgres\"")
                                .doesNotContainPattern(ClientMessageScan.JAVA_NAMES);
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            reconfigure(null, null);
        }
    }

    private static void assertMissingDatabase(String user, String password) {
        assertThatThrownBy(() -> proxy.connect(user, password, "app", new Properties()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("3D000");
                    assertThat(e.getMessage()).isEqualTo("FATAL: database \"app\" does not exist")
                            .doesNotContainPattern(ClientMessageScan.JAVA_NAMES);
                });
    }
}
