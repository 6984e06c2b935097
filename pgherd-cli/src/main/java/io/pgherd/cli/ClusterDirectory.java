package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.postgres.ClusterLayout;
import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.PgBinaries;
import io.pgherd.postgres.PostgresException;
import io.pgherd.postgres.SecureFiles;
import io.pgherd.postgres.ServerUser;

/**
 * The directory of a local-mode cluster ({@code ./.pgherd} by default): its layout in
 * {@value #STATE_FILE}, its passwords, one subdirectory per node, the PID of a foreground
 * {@code pgherd up}, and a lock file that keeps two commands from changing it at once.
 */
final class ClusterDirectory {
    static final String STATE_FILE = "pgherd.json";
    static final String PID_FILE = "up.pid";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    ClusterDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path path() {
        return dir;
    }

    boolean exists() {
        return Files.exists(dir.resolve(STATE_FILE));
    }

    /** The recorded state, or an error telling the user to run {@code up}. */
    LocalState read() {
        if (!exists()) {
            throw new PostgresException("no pgherd cluster in " + dir + " (no " + STATE_FILE + "); start one with"
                    + " './pgherd up --dir " + dir + "'");
        }
        try {
            return JSON.readValue(dir.resolve(STATE_FILE).toFile(), LocalState.class);
        } catch (IOException e) {
            throw new PostgresException("could not read " + dir.resolve(STATE_FILE) + ": " + e.getMessage(), e);
        }
    }

    void write(LocalState state) {
        try {
            Files.createDirectories(dir);
            SecureFiles.write(dir.resolve(STATE_FILE), JSON.writeValueAsString(state), null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dir.resolve(STATE_FILE), e);
        }
    }

    /** A handle on the recorded cluster, using the recorded binaries unless {@code pgBin} names others. */
    LocalCluster cluster(LocalState state, Optional<Path> pgBin) {
        PgBinaries binaries = PgBinaries.find(pgBin.or(() -> Optional.of(Path.of(state.pgBin()))));
        ClusterLayout layout = new ClusterLayout(dir, state.layoutNodes(), Map.of());
        return LocalCluster.of(layout, binaries, ServerUser.detect());
    }

    /**
     * Takes the directory's lock for one command.
     *
     * @throws PostgresException when another pgherd command holds it
     */
    Lock lock() {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new PostgresException("another pgherd command is working on " + dir + " right now; try again when it is done");
            }
            return new Lock(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock " + dir, e);
        }
    }

    /** The directory's lock, held until closed. */
    record Lock(FileChannel channel) implements AutoCloseable {
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not release the lock of " + channel, e);
            }
        }
    }

    void writePid(long pid) {
        SecureFiles.write(dir.resolve(PID_FILE), pid + "\n", null);
    }

    OptionalLong pid() {
        try {
            Path file = dir.resolve(PID_FILE);
            return Files.exists(file) ? OptionalLong.of(Long.parseLong(Files.readString(file).strip())) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    void clearPid() {
        try {
            Files.deleteIfExists(dir.resolve(PID_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir.resolve(PID_FILE), e);
        }
    }
}
