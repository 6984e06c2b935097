package io.pgherd.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of one server, to cut a client off for real: {@link #freeze()}
 * stops forwarding in both directions, so the client's connection stays open but nothing gets
 * through, as in a network partition. Bytes read while frozen are held, not dropped.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean frozen;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("tcp proxy to " + host + ":" + port + ": cannot listen", e);
        }
    }

    /** Where clients connect instead of the server. */
    public InetSocketAddress address() {
        return InetSocketAddress.createUnresolved("127.0.0.1", listener.getLocalPort());
    }

    /** Stops forwarding on every connection, present and future. */
    public void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** Forwards again, closing the connections that were frozen (as a healed partition whose TCP sessions timed out). */
    public void thaw() {
        List<Socket> frozenSockets = List.copyOf(sockets);
        sockets.clear();
        frozenSockets.forEach(TcpProxy::closeQuietly);
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                sockets.addAll(List.of(client, server));
                server.connect(upstream, 2000);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                // Closed, or the server refused: the client sees its connection end.
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0 && awaitOpen()) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side closed.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Blocks while frozen; returns false once the proxy is closed. */
    private boolean awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
        return !closed;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already closed.
        }
    }
}
