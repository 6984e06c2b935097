package io.pgherd.proxy.session;

import io.netty.channel.EventLoop;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.Query;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.ServerConnection;
import io.pgherd.proxy.backend.ServerListener;

/**
 * Runs {@code server_reset_query} (by default {@code DISCARD ALL}) on a server whose session-mode
 * client left, then gives it back to the pool; closes it if the reset fails. Runs on the server's
 * event loop.
 */
final class ServerReset implements ServerListener {
    private final Pool pool;
    private final EventLoop loop;
    private boolean failed;

    private ServerReset(Pool pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
    }

    static void resetAndRequite(ServerConnection server, Pool pool, String resetQuery) {
        if (resetQuery == null || resetQuery.isBlank()) {
            pool.requite(server);
            return;
        }
        server.attach(new ServerReset(pool, server.channel().eventLoop()));
        server.channel().eventLoop().execute(() -> {
            server.write(Frames.of(new Query(resetQuery), server.channel().alloc()));
            server.flush();
        });
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public void onServerFrame(ServerConnection server, Frame frame) {
        byte type = frame.type();
        frame.release();
        if (type == 'E') {
            failed = true;
        } else if (type == 'Z') {
            if (failed) {
                server.close("server_reset_query failed");
                pool.discard(server);
            } else {
                server.forgetSession();
                pool.requite(server);
            }
        }
    }

    @Override
    public void onServerReadComplete(ServerConnection server) {
    }

    @Override
    public void onServerClosed(ServerConnection server, String reason) {
        pool.discard(server);
    }

    @Override
    public void onServerWritabilityChanged(ServerConnection server, boolean writable) {
    }
}
