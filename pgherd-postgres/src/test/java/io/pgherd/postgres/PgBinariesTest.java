package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search order and its errors, on directories of small stand-in scripts that print a version
 * the way {@code postgres --version} does (the real installation is exercised by the integration tests).
 */
class PgBinariesTest {
    @TempDir
    Path tmp;

    @Test
    void theConfiguredDirectoryIsUsedAndNothingElseIsTried() throws IOException {
        Path mine = installation("mine", "16.2");
        Path onPath = installation("onpath", "17.0");
        assertThat(PgBinaries.find(Optional.of(mine), onPath.toString(), tmp.resolve("none")))
                .isEqualTo(new PgBinaries(mine, "16.2", 16));
    }

    @Test
    void aConfiguredDirectoryThatLacksBinariesIsAnErrorNamingWhatIsMissing() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> PgBinaries.find(Optional.of(empty), "", tmp.resolve("none")))
                .isInstanceOf(PostgresNotFoundException.class)
                .hasMessageStartingWith("PostgreSQL server binaries not usable in the configured directory " + empty
                        + ": missing postgres, initdb, pg_ctl, pg_basebackup.")
                .hasMessageContaining("apt-get install postgresql");
    }

    @Test
    void pathComesBeforeTheDistributionDirectories() throws IOException {
        Path onPath = installation("onpath", "15.4");
        Path distro = tmp.resolve("lib");
        installation("lib/17/bin", "17.1");
        assertThat(PgBinaries.find(Optional.empty(), "/nonexistent:" + onPath, distro).binDir()).isEqualTo(onPath);
    }

    @Test
    void theNewestDistributionDirectoryWins() throws IOException {
        Path distro = tmp.resolve("lib");
        installation("lib/9.6/bin", "9.6.24");
        installation("lib/15/bin", "15.18");
        installation("lib/16/bin", "16.3");
        assertThat(PgBinaries.find(Optional.empty(), "", distro)).isEqualTo(
                new PgBinaries(distro.resolve("16/bin").toAbsolutePath(), "16.3", 16));
    }

    @Test
    void pgConfigBindirIsConsultedWhenPathHasNoServerBinaries() throws IOException {
        Path server = installation("server", "15.6");
        Path clientOnly = Files.createDirectories(tmp.resolve("client"));
        script(clientOnly.resolve("pg_config"), "echo " + server);
        assertThat(PgBinaries.find(Optional.empty(), clientOnly.toString(), tmp.resolve("none")).binDir())
                .isEqualTo(server);
    }

    @Test
    void tooOldInstallationsAreRejectedAndTheErrorListsEverySearchedPlace() throws IOException {
        Path distro = tmp.resolve("lib");
        installation("lib/14/bin", "14.9");
        assertThatThrownBy(() -> PgBinaries.find(Optional.empty(), "/nonexistent", distro))
                .isInstanceOf(PostgresNotFoundException.class)
                .hasMessage("PostgreSQL 15+ server binaries (postgres, initdb, pg_ctl, pg_basebackup) not found;"
                        + " searched: PATH (1 directories: no directory with postgres, initdb, pg_ctl, pg_basebackup);"
                        + " pg_config --bindir (no pg_config on PATH); " + distro.resolve("14/bin")
                        + " (PostgreSQL 14.9 is older than 15). Install PostgreSQL 15 or later (Debian/Ubuntu:"
                        + " 'apt-get install postgresql') or name the directory with --pg-bin DIR");
    }

    @Test
    void thisMachinesInstallationIsFound() {
        PgBinaries found = PgBinaries.find(Optional.empty());
        assertThat(found.majorVersion()).isGreaterThanOrEqualTo(PgBinaries.MINIMUM_MAJOR);
        assertThat(found.tool("initdb")).isExecutable();
    }

    private Path installation(String relative, String version) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(relative));
        script(dir.resolve("postgres"), "echo 'postgres (PostgreSQL) " + version + " (Stand-in)'");
        for (String tool : new String[] {"initdb", "pg_ctl", "pg_basebackup"}) {
            script(dir.resolve(tool), "exit 0");
        }
        return dir;
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
