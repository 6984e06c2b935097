/**
 * PostgreSQL frontend/backend protocol 3.0: one record per message, named as in the "Message
 * Formats" chapter of the PostgreSQL documentation, and the Netty codecs that carry them.
 *
 * <p>The proxy forwards raw {@link io.pgherd.protocol.Frame}s cut by {@link
 * io.pgherd.protocol.PgFrameDecoder} and decodes a frame into a record ({@link
 * io.pgherd.protocol.FrontendMessage#decode}, {@link io.pgherd.protocol.BackendMessage#decode})
 * only when routing or session state needs it. The first packet of a client connection has no
 * type byte and is read by {@link io.pgherd.protocol.StartupPacketDecoder}.
 *
 * <p>Records are immutable values for control messages: strings are UTF-8 and must not contain
 * NUL; {@code byte[]} components are neither copied on construction nor on access, so callers
 * must not modify an array after handing it over. Malformed input raises {@link
 * io.pgherd.protocol.ProtocolException}, which carries a SQLSTATE.
 */
package io.pgherd.protocol;
