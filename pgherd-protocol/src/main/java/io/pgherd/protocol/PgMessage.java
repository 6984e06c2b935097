package io.pgherd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A PostgreSQL protocol 3.0 message as an immutable value.
 *
 * <p>Implementations are thread-safe records.
 */
public sealed interface PgMessage permits FrontendMessage, BackendMessage {

    /**
     * Writes the whole message to {@code out}: type byte, Int32 length and body; for a startup
     * packet, which has no type byte, the length and the rest. The caller keeps ownership of
     * {@code out}.
     */
    void encode(ByteBuf out);
}
