package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Fresh directories for test servers under {@code target/pgherd-it/} (or {@code -Dpgherd.test.dir}),
 * readable by other OS users so a server running as {@code postgres} can reach its own subdirectory.
 */
public final class TestDirectories {
    private TestDirectories() {
    }

    /** A new, empty directory whose name starts with {@code prefix}. */
    public static Path create(String prefix) {
        Path base = Path.of(System.getProperty("pgherd.test.dir", "target/pgherd-it")).toAbsolutePath();
        try {
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, prefix + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a test directory under " + base, e);
        }
    }
}
