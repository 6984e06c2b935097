package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    @TempDir
    Path dir;

    @Test
    void passwordsAreCreatedOnceKeptPrivateAndReadBack() throws IOException {
        ServerUser me = new ServerUser(System.getProperty("user.name"), false);
        Credentials first = Credentials.loadOrCreate(dir, "postgres", "replicator", me);
        Credentials again = Credentials.loadOrCreate(dir, "postgres", "replicator", me);

        assertThat(again).isEqualTo(first);
        assertThat(first.superuserPassword()).hasSize(32).matches("[A-Za-z0-9]+");
        assertThat(first.replicationPassword()).isNotEqualTo(first.superuserPassword());
        for (String file : new String[] {Credentials.SUPERUSER_PASSWORD_FILE, Credentials.REPLICATION_PASSFILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))))
                    .isEqualTo("rw-------");
        }
        assertThat(dir.resolve(Credentials.REPLICATION_PASSFILE))
                .hasContent("*:*:*:replicator:" + first.replicationPassword());
    }

    @Test
    void toStringNeverShowsAPassword() {
        Credentials c = new Credentials("postgres", "s3cret-super", "replicator", "s3cret-repl");
        assertThat(c.toString()).doesNotContain("s3cret").contains("postgres", "replicator", "redacted");
    }
}
