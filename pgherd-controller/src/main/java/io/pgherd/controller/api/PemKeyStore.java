package io.pgherd.controller.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store made of two PEM files, as {@code controller.api.tls_certificate} and {@code tls_key} name them: the
 * certificate chain (server first) and its private key in PKCS#8 ({@code BEGIN PRIVATE KEY}; RSA, EC or Ed25519).
 * The key never leaves memory; nothing of it is logged.
 */
final class PemKeyStore {
    /** The password of the in-memory store (it is never written anywhere). */
    static final char[] PASSWORD = "pgherd-api".toCharArray();
    private static final Pattern KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemKeyStore() {
    }

    /**
     * @throws IllegalArgumentException saying which file is wrong and how
     */
    static KeyStore load(Path certificate, Path key) {
        List<Certificate> chain;
        try {
            chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate))));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("controller.api.tls_certificate " + certificate + " holds no PEM certificate: "
                    + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("controller.api.tls_certificate " + certificate + " holds no certificate");
        }
        PrivateKey privateKey = privateKey(key);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("api", privateKey, PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("controller.api.tls_key " + key + " does not go with the certificate "
                    + certificate + ": " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path key) {
        String text;
        try {
            text = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("controller.api.tls_key " + key + " cannot be read: " + e.getMessage());
        }
        Matcher m = KEY.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("controller.api.tls_key " + key + " holds no PKCS#8 key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new IllegalArgumentException("controller.api.tls_key " + key + " is not an RSA, EC or Ed25519 key");
    }
}
