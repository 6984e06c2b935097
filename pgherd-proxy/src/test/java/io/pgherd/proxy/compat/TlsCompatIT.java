package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.PostgresCluster;
import io.pgherd.testkit.TestDirectories;

/**
 * TLS between clients and the proxy, with a self-signed certificate made at test time: libpq and
 * pgjdbc negotiate it when the proxy has a certificate, are refused clearly when they require it
 * and the proxy has none, and fall back to plain text when they only prefer it.
 */
@PostgresCluster(standby = false, replicas = 0)
class TlsCompatIT {
    static Path certs;
    static ProxyFixture tlsProxy;
    static ProxyFixture plainProxy;

    @BeforeAll
    static void start(LocalCluster cluster) throws Exception {
        certs = TestDirectories.create("tls-certs");
        selfSignedCertificate("proxy");
        selfSignedCertificate("stranger");
        assertThat(Files.readString(certs.resolve("proxy-key.pem"))).as("the key is PKCS#8 PEM")
                .startsWith("-----BEGIN PRIVATE KEY-----");
        tlsProxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n"
                + "  tls:\n"
                + "    cert_file: " + certs.resolve("proxy-cert.pem") + "\n"
                + "    key_file: " + certs.resolve("proxy-key.pem") + "\n");
        plainProxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
    }

    @AfterAll
    static void stop() {
        if (tlsProxy != null) {
            tlsProxy.close();
        }
        if (plainProxy != null) {
            plainProxy.close();
        }
    }

    private static void selfSignedCertificate(String name) {
        ExternalCommand.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", certs.resolve(name + "-key.pem").toString(), "-out", certs.resolve(name + "-cert.pem").toString(),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
                Map.of(), Duration.ofSeconds(30)).requireSuccess();
    }

    private static ExternalCommand.Outcome psql(ProxyFixture proxy, Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("psql", "-X", "-v", "ON_ERROR_STOP=1"));
        argv.addAll(List.of(args));
        return ExternalCommand.run(argv, Clients.libpqEnv(proxy, env), Duration.ofSeconds(60));
    }

    @Test
    void psqlWithSslmodeRequireTalksTlsToTheProxy() {
        ExternalCommand.Outcome outcome = psql(tlsProxy, Map.of("PGSSLMODE", "require"), "-At",
                "-c", "\\conninfo",
                "-c", "copy (select g, md5(g::text) from generate_series(1, 20000) g) to stdout").requireSuccess();

        assertThat(outcome.stdout()).containsPattern("SSL connection \\(protocol: TLSv1\\.[23]");
        assertThat(outcome.stdout().lines().filter(l -> l.matches("\\d+\t[0-9a-f]{32}"))).hasSize(20000);
    }

    @Test
    void psqlVerifiesTheProxyCertificateAgainstItsRoot() {
        ExternalCommand.Outcome trusted = psql(tlsProxy, Map.of("PGSSLMODE", "verify-full",
                "PGSSLROOTCERT", certs.resolve("proxy-cert.pem").toString()), "-Atc", "select 'verified'");
        assertThat(trusted.requireSuccess().stdout().strip()).isEqualTo("verified");

        ExternalCommand.Outcome stranger = psql(tlsProxy, Map.of("PGSSLMODE", "verify-full",
                "PGSSLROOTCERT", certs.resolve("stranger-cert.pem").toString()), "-Atc", "select 1");
        assertThat(stranger.exitCode()).as(stranger.toString()).isEqualTo(2);
        assertThat(stranger.stderr()).contains("certificate verify failed");
    }

    @Test
    void psqlWithSslmodePreferUsesTlsWhenTheProxyOffersIt() {
        ExternalCommand.Outcome outcome = psql(tlsProxy, Map.of("PGSSLMODE", "prefer"), "-c", "\\conninfo")
                .requireSuccess();

        assertThat(outcome.stdout()).contains("SSL connection (protocol: TLSv1.");
    }

    @Test
    void pgjdbcWithSslmodeRequireAndVerifyFullConnects() throws Exception {
        Properties require = new Properties();
        require.setProperty("sslmode", "require");
        assertThat(select(tlsProxy, require)).isEqualTo("answered");

        Properties verify = new Properties();
        verify.setProperty("sslmode", "verify-full");
        verify.setProperty("sslrootcert", certs.resolve("proxy-cert.pem").toString());
        assertThat(select(tlsProxy, verify)).isEqualTo("answered");
    }

    @Test
    void withoutTlsConfiguredSslmodeRequireIsRefusedClearly() {
        ExternalCommand.Outcome outcome = psql(plainProxy, Map.of("PGSSLMODE", "require"), "-c", "select 1");
        assertThat(outcome.exitCode()).as(outcome.toString()).isEqualTo(2);
        assertThat(outcome.stderr()).contains("server does not support SSL, but SSL was required");

        Properties require = new Properties();
        require.setProperty("sslmode", "require");
        assertThatThrownBy(() -> select(plainProxy, require)).isInstanceOf(SQLException.class)
                .hasMessageContaining("The server does not support SSL");
    }

    @Test
    void withoutTlsConfiguredSslmodePreferFallsBackToPlainText() throws Exception {
        ExternalCommand.Outcome outcome = psql(plainProxy, Map.of("PGSSLMODE", "prefer"), "-c", "\\conninfo",
                "-Atc", "select 'plain'").requireSuccess();
        assertThat(outcome.stdout()).contains("You are connected to database \"postgres\"").doesNotContain("SSL")
                .contains("plain");

        Properties prefer = new Properties();
        prefer.setProperty("sslmode", "prefer");
        assertThat(select(plainProxy, prefer)).isEqualTo("answered");
    }

    private static String select(ProxyFixture proxy, Properties props) throws SQLException {
        try (Connection c = proxy.connect("postgres", proxy.superuserPassword(), "postgres", props);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 'answered'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
