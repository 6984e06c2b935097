package io.pgherd.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for localhost and its PKCS#8 key, made by {@code openssl} in a test's directory. */
final class TestCertificates {
    private TestCertificates() {
    }

    /** Writes {@code api.crt} and {@code api.key} (EC P-256) in {@code dir}. */
    static ApiServer.Tls make(Path dir) throws Exception {
        Path certificate = dir.resolve("api.crt");
        Path key = dir.resolve("api.key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", certificate.toString())
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(output).isZero();
        return new ApiServer.Tls(certificate, key);
    }
}
