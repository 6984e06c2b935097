package io.pgherd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.testkit.ClientMessageScan;
import io.pgherd.testkit.PostgresCluster;

/**
 * The check that no client hears a Java class name is on and works: the build names the file, a
 * message the proxy sends lands there, and one naming a Java class, as the old auth_query error did,
 * is what {@link ClientMessageScan} fails a test for.
 */
@PostgresCluster(standby = false, replicas = 0)
class ClientMessageScanIT {
    /** What a client logging in to a missing database heard before auth_query ran in its own database. */
    static final String OLD_AUTH_QUERY_ERROR = "FATAL 28000 pgherd: could not look up user \"app\": java.lang.IllegalStateException:"
            + " auth_query failed: FATAL: database \"app\" does not exist";

    @Test
    void theBuildNamesTheFileTheProxyWritesTo() {
        assertThat(ClientMessageScan.file()).as("the environment variable " + ClientMessageScan.VARIABLE + " (root pom.xml)")
                .isPresent();
    }

    @Test
    void aMessageNamingAJavaClassIsFoundAndACleanOneIsNot() {
        assertThat(ClientMessageScan.offending(List.of(OLD_AUTH_QUERY_ERROR))).containsExactly(OLD_AUTH_QUERY_ERROR);
        assertThat(ClientMessageScan.offending(List.of("WARNING 01000 x\\n\\tat io.pgherd.Foo.bar(Foo.java:1)",
                "ERROR XX000 java.io.IOException: reset", "ERROR XX000 Connection reset by peer"))).hasSize(2);
        assertThat(ClientMessageScan.offending(List.of("FATAL 3D000 database \"app\" does not exist",
                "ERROR 08006 pgherd: lost the server connection to node1 (I/O error: Connection reset by peer)"))).isEmpty();
    }

    @Test
    void aPlantedJavaNameInAnErrorTheProxySendsIsCaught(LocalCluster cluster) throws SQLException {
        try (ProxyFixture proxy = ProxyFixture.start(cluster, "")) {
            ClientMessageScan.takeNew();
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            try (Connection admin = proxy.connect("postgres", proxy.superuserPassword(), "pgherd", simple);
                 Statement s = admin.createStatement()) {
                // The console repeats an unknown command in its error: a client-made text that names a package.
                assertThatThrownBy(() -> s.execute("SHOW java.planted")).isInstanceOf(SQLException.class);
            }
            List<String> sent = ClientMessageScan.takeNew();
            assertThat(ClientMessageScan.offending(sent)).as("lines written: " + sent).singleElement().asString()
                    .startsWith("ERROR 42601 pgherd: unknown admin command: SHOW java.planted");
        }
    }
}
