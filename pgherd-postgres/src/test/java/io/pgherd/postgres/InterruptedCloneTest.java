package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clone killed in the middle (its agent's process and pg_basebackup with {@code kill -9}) leaves a partial copy that
 * may already hold {@code PG_VERSION}: it must never count as data, and it is deleted when the node is next looked at.
 */
class InterruptedCloneTest {
    @TempDir
    Path tmp;

    private PostgresNode node() {
        return new PostgresNode("spare1", tmp.resolve("spare1"), 5432, new PgBinaries(tmp.resolve("bin"), "15.0", 15),
                new CommandRunner(ServerUser.detect()));
    }

    /** What pg_basebackup had copied when it was killed, with the marker cloneFrom writes before it runs. */
    private void partialCopy(boolean marker) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("spare1/data/base/1"));
        Files.writeString(tmp.resolve("spare1/data/PG_VERSION"), "15\n");
        Files.writeString(data.resolve("1259"), "half a relation");
        if (marker) {
            Files.writeString(tmp.resolve("spare1").resolve(PostgresNode.CLONE_MARKER), "a clone from node2 runs\n");
        }
    }

    @Test
    void aPartialCopyIsNoDataAndIsDeleted() throws Exception {
        partialCopy(true);
        PostgresNode node = node();

        assertThat(node.cloneInterrupted()).isTrue();
        assertThat(node.isInitialized()).as("a partial copy is not data to start").isFalse();
        assertThat(node.discardInterruptedClone()).isTrue();

        assertThat(tmp.resolve("spare1/data")).doesNotExist();
        assertThat(tmp.resolve("spare1").resolve(PostgresNode.CLONE_MARKER)).doesNotExist();
        assertThat(node.discardInterruptedClone()).as("nothing left the second time").isFalse();
    }

    @Test
    void aFinishedCloneIsDataAndStays() throws Exception {
        partialCopy(false);
        PostgresNode node = node();

        assertThat(node.cloneInterrupted()).isFalse();
        assertThat(node.isInitialized()).isTrue();
        assertThat(node.discardInterruptedClone()).isFalse();
        assertThat(tmp.resolve("spare1/data/PG_VERSION")).exists();
    }
}
