package io.pgherd.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a data directory's {@code global/pg_control} says without a server or {@code pg_controldata}:
 * the database system identifier, which initdb draws once and every clone (pg_basebackup) keeps, so two
 * data directories with the same identifier belong to the same cluster.
 */
public final class ControlFile {
    private static final String PATH = "global/pg_control";

    private ControlFile() {
    }

    /**
     * The system identifier of the data directory {@code dataDir} as {@code pg_controldata} prints it
     * (an unsigned decimal), or empty when there is no readable control file. The field is the file's
     * first 8 bytes, in the byte order of the machine that wrote it (this one).
     */
    public static Optional<String> systemIdentifier(Path dataDir) {
        byte[] head;
        try (InputStream in = Files.newInputStream(dataDir.resolve(PATH))) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (head.length < 8) {
            return Optional.empty();
        }
        long id = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder()).getLong();
        return id == 0 ? Optional.empty() : Optional.of(Long.toUnsignedString(id));
    }
}
