package io.pgherd.proxy.backend;

import io.netty.channel.EventLoop;
import io.pgherd.protocol.Frame;

/**
 * The session a server connection is working for. The connection calls it on {@link #eventLoop()}
 * (hopping there if the server channel lives on another loop), in the order things happened.
 */
public interface ServerListener {
    /** The loop on which every call below runs. */
    EventLoop eventLoop();

    /** A message from the server; the listener owns the frame. */
    void onServerFrame(ServerConnection server, Frame frame);

    /** The server's read burst ended: a good moment to flush to the client. */
    void onServerReadComplete(ServerConnection server);

    /** The server connection closed while working for this listener. */
    void onServerClosed(ServerConnection server, String reason);

    /** The server channel became writable or stopped being so. */
    void onServerWritabilityChanged(ServerConnection server, boolean writable);
}
