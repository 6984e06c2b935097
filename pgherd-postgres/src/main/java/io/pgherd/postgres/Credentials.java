package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The passwords of a local cluster's superuser and replication role. Passwords never appear in
 * {@link #toString()}. Immutable.
 *
 * @param superuser the superuser's role name
 * @param superuserPassword its password
 * @param replicationUser the role standbys connect as
 * @param replicationPassword its password
 */
public record Credentials(String superuser, String superuserPassword, String replicationUser,
                          String replicationPassword) {
    /** File in the cluster directory holding the superuser's password, readable only by its owner. */
    public static final String SUPERUSER_PASSWORD_FILE = "superuser.password";
    /** libpq password file for replication connections, owned by the server user (servers read it). */
    public static final String REPLICATION_PASSFILE = "replication.pgpass";

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Reads the passwords kept in {@code dir}, creating random ones the first time.
     * The superuser's file is owned by the current user; the replication passfile by {@code serverUser}.
     */
    public static Credentials loadOrCreate(Path dir, String superuser, String replicationUser, ServerUser serverUser) {
        Path superFile = dir.resolve(SUPERUSER_PASSWORD_FILE);
        Path passfile = dir.resolve(REPLICATION_PASSFILE);
        try {
            String superPassword;
            if (Files.exists(superFile)) {
                superPassword = Files.readString(superFile).strip();
            } else {
                superPassword = randomPassword();
                SecureFiles.write(superFile, superPassword + "\n", null);
            }
            String replicationPassword;
            if (Files.exists(passfile)) {
                replicationPassword = unescape(Files.readString(passfile).strip().split("(?<!\\\\):", 5)[4]);
            } else {
                replicationPassword = randomPassword();
                SecureFiles.write(passfile, "*:*:*:" + escape(replicationUser) + ":" + escape(replicationPassword) + "\n",
                        serverUser);
            }
            return new Credentials(superuser, superPassword, replicationUser, replicationPassword);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the credentials kept in " + dir, e);
        }
    }

    /** A random password of 32 letters and digits (about 186 bits), safe in URIs and conninfo strings. */
    public static String randomPassword() {
        StringBuilder out = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }

    /** A libpq URI for the superuser to {@code database} on 127.0.0.1:{@code port}; it holds the password. */
    public String superuserUri(int port, String database) {
        return "postgresql://" + superuser + ":" + superuserPassword + "@127.0.0.1:" + port + "/" + database;
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String unescape(String field) {
        return field.replace("\\:", ":").replace("\\\\", "\\");
    }

    @Override
    public String toString() {
        return "Credentials[superuser=" + superuser + ", replicationUser=" + replicationUser + ", passwords redacted]";
    }
}
