package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.backendPid;
import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * Session state in transaction pooling: one server connection (pool_size 1) serves two clients in
 * turn, and each sees only its own settings, with PostgreSQL's transactional semantics for SET.
 */
@PostgresCluster(standby = false, replicas = 0)
class SessionStateIsolationIT {
    private static final String DEFAULT_SEARCH_PATH = "\"$user\", public";
    static ProxyFixture proxy;
    static LocalCluster primaryCluster;

    @BeforeAll
    static void start(LocalCluster cluster) throws SQLException {
        primaryCluster = cluster;
        try (Connection c = cluster.connect(cluster.primary())) {
            execute(c, "drop role if exists tenant_role");
            execute(c, "create role tenant_role nologin");
            execute(c, "create schema if not exists tenant_a");
        }
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 1\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static Connection client() throws SQLException {
        return proxy.connect("postgres");
    }

    @Test
    void settingsOfOneClientNeverReachAnotherOnTheSameServer() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            execute(a, "set search_path = tenant_a, public");
            execute(a, "set statement_timeout = '12s'");
            execute(a, "set role tenant_role");
            execute(a, "set myapp.tenant = 'acme'");
            int serverOfA = backendPid(a);

            assertThat(backendPid(b)).as("pool_size 1: B runs on A's server connection").isEqualTo(serverOfA);
            assertThat(value(b, "show search_path")).isEqualTo(DEFAULT_SEARCH_PATH);
            assertThat(value(b, "show statement_timeout")).isEqualTo("0");
            assertThat(value(b, "select current_user")).isEqualTo("postgres");
            assertThat(value(b, "select current_setting('myapp.tenant', true)")).isNullOrEmpty();

            assertThat(backendPid(a)).isEqualTo(serverOfA);
            assertThat(value(a, "show search_path")).isEqualTo("tenant_a, public");
            assertThat(value(a, "show statement_timeout")).isEqualTo("12s");
            assertThat(value(a, "select current_user")).isEqualTo("tenant_role");
            assertThat(value(a, "select current_setting('myapp.tenant')")).isEqualTo("acme");

            // and back again: B still has nothing of A's
            assertThat(value(b, "select current_user || ' ' || current_setting('statement_timeout')")).isEqualTo("postgres 0");
        }
    }

    @Test
    void setInsideARolledBackTransactionIsGone() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            a.setAutoCommit(false);
            execute(a, "set search_path = tenant_a");
            assertThat(value(a, "show search_path")).isEqualTo("tenant_a");
            a.rollback();
            a.setAutoCommit(true);
            assertThat(value(b, "show search_path")).as("B in between").isEqualTo(DEFAULT_SEARCH_PATH);
            assertThat(value(a, "show search_path")).isEqualTo(DEFAULT_SEARCH_PATH);
        }
    }

    @Test
    void setInsideARolledBackSavepointIsGoneWhileOneBeforeItStays() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            a.setAutoCommit(false);
            execute(a, "set statement_timeout = '5s'");
            execute(a, "savepoint s1");
            execute(a, "set search_path = tenant_a");
            execute(a, "set myapp.tenant = 'inside'");
            execute(a, "rollback to savepoint s1");
            a.commit();
            a.setAutoCommit(true);
            assertThat(value(b, "show statement_timeout")).as("B in between").isEqualTo("0");
            assertThat(value(a, "show statement_timeout")).isEqualTo("5s");
            assertThat(value(a, "show search_path")).isEqualTo(DEFAULT_SEARCH_PATH);
            assertThat(value(a, "select current_setting('myapp.tenant', true)")).isNullOrEmpty();
        }
    }

    @Test
    void setLocalNeverOutlivesItsTransaction() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            execute(a, "set statement_timeout = '3s'");
            a.setAutoCommit(false);
            execute(a, "set local statement_timeout = '7s'");
            execute(a, "set local search_path = tenant_a");
            assertThat(value(a, "show statement_timeout")).isEqualTo("7s");
            a.commit();
            a.setAutoCommit(true);
            assertThat(value(b, "show statement_timeout")).isEqualTo("0");
            assertThat(value(a, "show statement_timeout")).isEqualTo("3s");
            assertThat(value(a, "show search_path")).isEqualTo(DEFAULT_SEARCH_PATH);
        }
    }

    @Test
    void resetAllReturnsToTheDefaultsAndTheClientsOwnStartupSettings() throws Exception {
        Properties props = new Properties();
        props.setProperty("ApplicationName", "state-it-a");
        try (Connection a = proxy.connect("postgres", proxy.superuserPassword(), "postgres", props); Connection b = client()) {
            execute(a, "set search_path = tenant_a");
            execute(a, "set statement_timeout = '9s'");
            execute(a, "set myapp.tenant = 'acme'");
            execute(a, "set role tenant_role");
            assertThat(value(b, "show statement_timeout")).isEqualTo("0");
            execute(a, "reset all");
            assertThat(value(a, "show search_path")).isEqualTo(DEFAULT_SEARCH_PATH);
            assertThat(value(a, "show statement_timeout")).isEqualTo("0");
            assertThat(value(a, "select current_setting('myapp.tenant', true)")).isNullOrEmpty();
            assertThat(value(a, "select current_user")).as("RESET ALL leaves the role, as on PostgreSQL").isEqualTo("tenant_role");
            assertThat(value(b, "select current_user")).isEqualTo("postgres");
            assertThat(value(a, "select current_user")).isEqualTo("tenant_role");
            execute(a, "reset role");
            assertThat(value(a, "select current_user")).isEqualTo("postgres");
            // As on PostgreSQL, RESET ALL goes back to what the client asked for at startup.
            assertThat(value(a, "show application_name")).isEqualTo("state-it-a");
            assertThat(value(b, "show application_name")).isEqualTo("PostgreSQL JDBC Driver");
            assertThat(value(a, "show application_name")).isEqualTo("state-it-a");
        }
    }

    @Test
    void sessionAuthorizationFollowsItsClientOnly() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            execute(a, "set session authorization tenant_role");
            assertThat(value(b, "select session_user || ' ' || current_user")).isEqualTo("postgres postgres");
            assertThat(value(a, "select session_user || ' ' || current_user")).isEqualTo("tenant_role tenant_role");
            execute(a, "reset session authorization");
            assertThat(value(a, "select session_user")).isEqualTo("postgres");
        }
    }

    @Test
    void setConfigForTheSessionSticksForItsClientOnly() throws Exception {
        try (Connection a = client(); Connection b = client()) {
            assertThat(value(a, "select set_config('x.y', 'v', false)")).isEqualTo("v");
            assertThat(value(b, "select current_setting('x.y', true)")).isNullOrEmpty();
            assertThat(value(a, "select current_setting('x.y')")).isEqualTo("v");
            assertThat(value(a, "select set_config('x.y', 'only-now', true)")).isEqualTo("only-now");
            assertThat(value(a, "select current_setting('x.y')")).isEqualTo("v");
            assertThat(value(b, "select current_setting('x.y', true)")).isNullOrEmpty();
        }
    }

    @Test
    void aRestoreThatFailsNeverLetsTheWorkRunWithAnotherClientsSettings() throws Exception {
        try (Connection direct = primaryCluster.connect(primaryCluster.primary())) {
            execute(direct, "drop role if exists doomed_role");
            execute(direct, "create role doomed_role nologin");
            try (Connection a = client(); Connection b = client()) {
                execute(a, "set role doomed_role");
                assertThat(value(a, "select current_user")).isEqualTo("doomed_role");
                assertThat(value(b, "select current_user")).isEqualTo("postgres");
                int serverOfB = backendPid(b);
                execute(direct, "drop role doomed_role");

                // Setting A's role fails on every server now: A's statement must not run as B's user.
                assertThatThrownBy(() -> value(a, "select current_user")).isInstanceOf(PSQLException.class)
                        .satisfies(e -> {
                            assertThat(((PSQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("22023");
                            assertThat(e.getMessage()).contains("pgherd: restoring the session's settings failed")
                                    .contains("doomed_role");
                        });
                assertThat(backendPid(b)).as("the server whose restore failed was closed, not given back")
                        .isNotEqualTo(serverOfB);
                assertThat(value(b, "select current_user")).isEqualTo("postgres");
            }
        }
    }

    @Test
    void aStateReadBackThatFailsClosesTheServerInsteadOfPassingItsSettingsOn() throws Exception {
        try (RawClient a = RawClient.login(proxy.port(), "postgres", proxy.superuserPassword(), "postgres");
             Connection b = client()) {
            int serverOfB = backendPid(b);
            assertThat(answers(a, "SET myapp.word = '日本'")).noneMatch(m -> m.startsWith("E"));
            // Reading the settings back now fails: the custom setting has no LATIN1 form.
            assertThat(answers(a, "SET client_encoding = 'LATIN1'")).noneMatch(m -> m.startsWith("E"));

            assertThat(value(b, "select coalesce(current_setting('myapp.word', true), '')")).isEmpty();
            assertThat(value(b, "show client_encoding")).isEqualTo("UTF8");
            assertThat(backendPid(b)).as("the server whose state is unknown was closed").isNotEqualTo(serverOfB);
            assertThat(answers(a, "SELECT 1")).as("A is told its last settings may be lost")
                    .anyMatch(m -> m.startsWith("N") && m.contains("pgherd: could not read back the session's settings"));
        }
    }

    /** Sends a simple query and reads up to its ReadyForQuery: each message as its type, a notice or error with its fields. */
    private static List<String> answers(RawClient client, String sql) throws IOException {
        client.query(sql);
        List<String> got = new ArrayList<>();
        RawClient.Message m;
        do {
            m = client.receive();
            got.add(m.toString());
        } while (m.type() != 'Z');
        return got;
    }
}
