package io.pgherd.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.pgherd.protocol.BackendKeyData;
import io.pgherd.protocol.CancelRequest;
import io.pgherd.proxy.backend.ServerConnection;
import io.pgherd.proxy.net.Transport;

/** Sends a CancelRequest for a server connection's running query, on a connection of its own, as PostgreSQL wants. */
final class CancelForwarder {
    private CancelForwarder() {
    }

    static void forward(ServerConnection server) {
        BackendKeyData key = server.backendKey();
        if (key == null) {
            return;
        }
        new Bootstrap().group(server.channel().eventLoop()).channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.node().host(), server.node().port())
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        ByteBuf buf = f.channel().alloc().buffer(CancelRequest.LENGTH);
                        new CancelRequest(key.processId(), key.secretKey()).encode(buf);
                        f.channel().writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }
}
