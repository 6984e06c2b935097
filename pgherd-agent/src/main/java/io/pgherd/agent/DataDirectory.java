package io.pgherd.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;

import io.pgherd.postgres.ControlFile;
import io.pgherd.postgres.PostgresNode;

/**
 * The data directory of the agent's PostgreSQL as the HA rules see it: whether there is one, its database system
 * identifier, the marker saying it has been a primary since it last followed anyone ({@value #WAS_PRIMARY}, in the
 * node's directory beside it), and its wiping when a spare is released ({@link #wipe}). A marker that cannot be
 * written throws {@link UncheckedIOException}. Blocks; the agent's loop thread only.
 */
final class DataDirectory {
    /** A marker in the node's directory: this data directory has been a primary since it last followed anyone. */
    static final String WAS_PRIMARY = "pgherd.was-primary";

    private final PostgresNode node;
    private final Duration timeout;

    /** @param timeout how long stopping the server may take */
    DataDirectory(PostgresNode node, Duration timeout) {
        this.node = node;
        this.timeout = timeout;
    }

    boolean exists() {
        return node.isInitialized();
    }

    /** The database system identifier of the data directory, empty without one. */
    Optional<String> systemIdentifier() {
        return node.isInitialized() ? ControlFile.systemIdentifier(node.dataDir()) : Optional.empty();
    }

    boolean wasPrimary() {
        return Files.exists(node.dir().resolve(WAS_PRIMARY));
    }

    void wasPrimary(boolean value) {
        try {
            if (value) {
                Files.writeString(node.dir().resolve(WAS_PRIMARY), "");
            } else {
                Files.deleteIfExists(node.dir().resolve(WAS_PRIMARY));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops PostgreSQL and deletes the data directory (a released spare): nothing of it is left, no marker either. */
    void wipe() {
        node.stop(timeout);
        node.removeDataDirectory();
        wasPrimary(false);
    }
}
