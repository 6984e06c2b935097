package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes small files atomically with owner-only permissions, for configuration and secrets. */
public final class SecureFiles {
    private SecureFiles() {
    }

    /**
     * Replaces {@code path} with {@code content} through a temporary file and a rename, mode 0600,
     * handed to {@code owner} when it is not {@code null} (so a server running as another OS user can read it).
     */
    public static void write(Path path, String content, ServerUser owner) {
        Path temp = path.resolveSibling("." + path.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            if (owner != null) {
                owner.own(temp);
            }
            try {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + path, e);
        }
    }

    /**
     * Makes {@code path} an owner-only file (mode 0600) to append to, such as a log: creates it empty
     * if missing, else takes away every permission of the group and others (content kept).
     */
    public static void createPrivateFile(Path path) {
        try {
            if (Files.exists(path)) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } else {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + path + " with mode 0600", e);
        }
    }

    /** Creates {@code dir} (and parents) if missing, with mode 0700 for the last element. */
    public static void createPrivateDirectory(Path dir, ServerUser owner) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (owner != null) {
                owner.own(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create directory " + dir, e);
        }
    }
}
