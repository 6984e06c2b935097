package io.pgherd.proxy;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgherd.common.config.HostPort;
import io.pgherd.protocol.FrameEncoder;
import io.pgherd.protocol.PgMessageEncoder;
import io.pgherd.protocol.StartupPacketDecoder;
import io.pgherd.proxy.auth.Authenticator;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.frontend.ClientMessageLog;
import io.pgherd.proxy.frontend.ClientStartup;
import io.pgherd.proxy.metrics.MetricsServer;
import io.pgherd.proxy.net.Transport;
import io.pgherd.proxy.route.Route;
import io.pgherd.proxy.session.ClientHandle;
import io.pgherd.proxy.session.ClientSession;
import java.util.List;
import java.util.Optional;

/**
 * A running proxy: the client listener, the event loops (one per core), the metrics endpoint and a
 * once-a-second maintenance task (idle and expired server connections, min_pool_size, idle clients).
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    /** Set in tests only: every error and notice a client gets is written down (ClientMessageLog). */
    private static final Optional<ClientMessageLog> CLIENT_MESSAGE_LOG = ClientMessageLog.fromEnvironment(System.getenv());
    private static final io.netty.util.AttributeKey<Route.Target> FIXED = io.netty.util.AttributeKey.valueOf("pgherd.listenerTarget");

    private final Proxy proxy;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final java.util.List<Channel> fixedListeners;
    private final MetricsServer metrics;
    private final ScheduledFuture<?> maintenance;
    private final io.pgherd.proxy.cluster.ClusterFollower follower;

    private ProxyServer(Proxy proxy, EventLoopGroup boss, EventLoopGroup workers, Channel listener,
                        java.util.List<Channel> fixedListeners, MetricsServer metrics, ScheduledFuture<?> maintenance,
                        io.pgherd.proxy.cluster.ClusterFollower follower) {
        this.proxy = proxy;
        this.fixedListeners = fixedListeners;
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
        this.metrics = metrics;
        this.maintenance = maintenance;
        this.follower = follower;
    }

    /** Starts a proxy with {@code config}; {@code threads} event loops (0: one per core). */
    public static ProxyServer start(ProxyConfig config, int threads) throws InterruptedException {
        Proxy proxy = new Proxy(config, new Authenticator(config));
        SslContext ssl = sslContext(config);
        EventLoopGroup boss = Transport.group(1, "pgherd-accept");
        EventLoopGroup workers = Transport.group(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                "pgherd-io");
        int maxMessage = config.get(ProxyConfig.MAX_MESSAGE_BYTES);
        HostPort listen = config.get(ProxyConfig.LISTEN);
        Channel listener;
        java.util.List<Channel> fixed = new java.util.ArrayList<>();
        HostPort at = listen;
        try {
            listener = listen(proxy, ssl, boss, workers, maxMessage, listen, null);
            for (var entry : java.util.Map.of(Route.Target.PRIMARY, ProxyConfig.PRIMARY_LISTEN,
                    Route.Target.REPLICA, ProxyConfig.REPLICA_LISTEN).entrySet()) {
                at = config.get(entry.getValue());
                if (at != null) {
                    Channel c = listen(proxy, ssl, boss, workers, maxMessage, at, entry.getKey());
                    c.attr(FIXED).set(entry.getKey());
                    fixed.add(c);
                }
            }
        } catch (RuntimeException e) {
            fixed.forEach(Channel::close);
            proxy.backends().close();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("could not listen on " + at + ": " + e.getMessage(), e);
        }
        HostPort metricsAt = config.get(ProxyConfig.METRICS_LISTEN);
        MetricsServer metrics = metricsAt == null ? null : new MetricsServer(proxy, metricsAt, boss);
        ScheduledFuture<?> maintenance = workers.next().scheduleAtFixedRate(() -> maintain(proxy, workers), 1, 1,
                TimeUnit.SECONDS);
        log.info("proxy listening on {} (primary {}, pool mode {}, {} event loops){}", listener.localAddress(),
                config.primary(), io.pgherd.common.config.Key.label(config.get(ProxyConfig.POOL_MODE)),
                ((io.netty.util.concurrent.MultithreadEventExecutorGroup) workers).executorCount(),
                metrics == null ? "" : ", metrics on port " + metrics.port());
        io.pgherd.proxy.cluster.ClusterFollower follower = config.get(ProxyConfig.CLUSTER_DCS) == null ? null
                : io.pgherd.proxy.cluster.ClusterFollower.start(proxy, config);
        return new ProxyServer(proxy, boss, workers, listener, List.copyOf(fixed), metrics, maintenance, follower);
    }

    private static Channel listen(Proxy proxy, SslContext ssl, EventLoopGroup boss, EventLoopGroup workers, int maxMessage,
                                  HostPort at, Route.Target fixedTarget) throws InterruptedException {
        return new ServerBootstrap().group(boss, workers).channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (fixedTarget != null) {
                            ch.attr(ClientSession.FIXED_TARGET).set(fixedTarget);
                        }
                        ch.pipeline().addLast("frames", new StartupPacketDecoder(maxMessage));
                        ch.pipeline().addLast("frameEncoder", FrameEncoder.INSTANCE);
                        ch.pipeline().addLast("messageEncoder", PgMessageEncoder.INSTANCE);
                        CLIENT_MESSAGE_LOG.ifPresent(h -> ch.pipeline().addLast("clientMessageLog", h));
                        ch.pipeline().addLast("startup", new ClientStartup(proxy, ssl));
                    }
                }).bind(at.host(), at.port()).sync().channel();
    }

    /** The port of the extra listener bound to {@code target}, or -1 when it is off. */
    public int fixedPort(Route.Target target) {
        for (Channel c : fixedListeners) {
            if (c.attr(FIXED).get() == target) {
                return ((InetSocketAddress) c.localAddress()).getPort();
            }
        }
        return -1;
    }

    public Proxy proxy() {
        return proxy;
    }

    /** The port clients connect to (useful when the configuration asked for port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The metrics port, or -1 when metrics are off. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    private static void maintain(Proxy proxy, EventLoopGroup workers) {
        try {
            for (Pool pool : proxy.pools()) {
                pool.maintain(workers.next());
            }
            long idleLimit = proxy.config().get(ProxyConfig.CLIENT_IDLE_TIMEOUT).toNanos();
            if (idleLimit > 0) {
                for (ClientHandle client : proxy.clients()) {
                    if (client instanceof ClientSession session && session.idleLongerThan(idleLimit)) {
                        session.closeIdle();
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("maintenance failed: {}", e.toString());
        }
    }

    private static SslContext sslContext(ProxyConfig config) {
        String cert = config.get(ProxyConfig.TLS_CERT_FILE);
        if (cert == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(new File(cert), new File(config.get(ProxyConfig.TLS_KEY_FILE))).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("could not load the TLS certificate " + cert + " and key "
                    + config.get(ProxyConfig.TLS_KEY_FILE) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        maintenance.cancel(false);
        if (follower != null) {
            follower.close();
        }
        listener.close().syncUninterruptibly();
        fixedListeners.forEach(c -> c.close().syncUninterruptibly());
        if (metrics != null) {
            metrics.close();
        }
        for (ClientHandle client : proxy.clients()) {
            client.kill("the proxy is shutting down");
        }
        for (Pool pool : proxy.pools()) {
            pool.closeAll("proxy shutting down");
        }
        proxy.authenticator().close();
        proxy.backends().close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("proxy stopped");
    }
}
