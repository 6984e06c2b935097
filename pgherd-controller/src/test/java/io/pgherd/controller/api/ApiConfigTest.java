package io.pgherd.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.ControllerConfig;

/** {@code controller.api.*}: off by default; TLS files as a pair of readable files; beyond loopback only with TLS. */
class ApiConfigTest {
    private static final String BASE = "controller:\n  cluster: c\n  name: c1\n  dcs: etcd://127.0.0.1:2379\n";

    @Test
    void theApiIsOffUnlessAnAddressIsSetAndLoopbackNeedsNoTls() {
        assertThat(ControllerConfig.read(BASE, "t").get(ControllerConfig.API_LISTEN)).isNull();
        assertThat(ControllerConfig.read(BASE + "  api:\n    listen: 127.0.0.1:8020\n", "t").get(ControllerConfig.API_LISTEN))
                .isEqualTo(new HostPort("127.0.0.1", 8020));
    }

    @Test
    void everyProblemOfTheApiKeysIsListed(@TempDir Path dir) throws Exception {
        Path certificate = Files.writeString(dir.resolve("api.crt"), "x");
        assertThat(problems(BASE + "  api:\n    listen: 0.0.0.0:8020\n    tls_certificate: " + certificate
                + "\n")).containsExactlyInAnyOrder(
                new ConfigProblem("controller.api.tls_key", "must be set with controller.api.tls_certificate"),
                new ConfigProblem("controller.api.listen", "listens beyond loopback (0.0.0.0:8020) only with TLS: set"
                        + " controller.api.tls_certificate and controller.api.tls_key"));
        assertThat(problems(BASE + "  api:\n    listen: 127.0.0.1:8020\n    tls_certificate: " + certificate
                + "\n    tls_key: " + dir.resolve("missing.key") + "\n")).containsExactly(
                new ConfigProblem("controller.api.tls_key", "cannot read " + dir.resolve("missing.key")));
        Path key = Files.writeString(dir.resolve("api.key"), "x");
        assertThat(ControllerConfig.read(BASE + "  api:\n    listen: 0.0.0.0:8020\n    tls_certificate: " + certificate
                + "\n    tls_key: " + key + "\n", "t").get(ControllerConfig.API_LISTEN).port()).isEqualTo(8020);
    }

    private static List<ConfigProblem> problems(String yaml) {
        try {
            ControllerConfig.read(yaml, "t");
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("no problem in " + yaml);
    }

    @Test
    void aKeyFileThatIsNotPkcs8IsRefusedSayingHowToConvertIt(@TempDir Path dir) throws Exception {
        ApiServer.Tls good = TestCertificates.make(dir);
        Path notACertificate = Files.writeString(dir.resolve("not.crt"), "x");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeyStore.load(notACertificate, good.key())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("controller.api.tls_certificate " + notACertificate);
        assertThatThrownBy(() -> PemKeyStore.load(good.certificate(), pkcs1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssl pkcs8");
        assertThat(PemKeyStore.load(good.certificate(), good.key()).containsAlias("api")).isTrue();
    }
}
