package io.pgherd.protocol;

/**
 * The first packet of a connection, which has no type byte: an Int32 length, an Int32 code and
 * the rest. {@link StartupPacketDecoder} reads it.
 */
public sealed interface StartupPacket extends FrontendMessage
        permits StartupMessage, SSLRequest, GSSENCRequest, CancelRequest {

    /** The largest startup packet PostgreSQL accepts ({@code MAX_STARTUP_PACKET_LENGTH}). */
    int MAX_LENGTH = 10_000;
}
